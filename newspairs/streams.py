"""The examples of a stream `newspairs.feed.pack` makes, which pass the epoch on to their sources.

`pack` makes an `IterableDataset` from a generator that reads the source streams (its gen_kwargs).
At epoch ``e`` (`set_epoch` on the stream that is iterated: the packed one, or one made from it,
such as the dataloader's), `datasets` reshuffles that stream's pipeline: it reorders its data
sources with ``default_rng(e)`` (`shuffle_data_sources`, which `take` and `skip` refuse, keeping the
order), and shifts the random generators of every buffer shuffle in it by ``e``
(`shift_ex_examples_rngs`; in a DataLoader worker, once more by the worker's id). A source read
inside the generator is no part of that pipeline, so a shuffled source gave the same order at
every epoch. `EpochedExamplesIterable` notes each of these steps as it is applied to the packed
stream, and the generator applies the same steps to each source it reads (`reseeded`): the source
is read as `datasets` reads a stream made from it (its ``map``) in the same place.

Imported by `newspairs.feed` when it packs a stream (this module imports `datasets`).
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from datasets.iterable_dataset import DataSourcesShufflingDisallowed, ExamplesIterable, shift_ex_examples_rngs

STEPS_ARGUMENT = "reseeds"  # the generator's argument: the steps, in order


class EpochedExamplesIterable(ExamplesIterable):
    """`datasets`' examples of a generator, which note the shuffles and rng shifts applied to them
    (each epoch's, each worker's) in the generator's ``reseeds`` argument, for its sources."""

    @classmethod
    def made_from(cls, other: ExamplesIterable, step: tuple | None = None) -> EpochedExamplesIterable:
        """``other`` (datasets' own methods make a plain ExamplesIterable) as this kind, ``step`` noted."""
        kwargs = other.kwargs if step is None else {**other.kwargs, STEPS_ARGUMENT: (*other.kwargs.get(STEPS_ARGUMENT, ()), step)}
        return cls(other.generate_examples_fn, kwargs, other.generate_more_kwargs_fn, other.sleep_on_threads_shutdown)

    def shuffle_data_sources(self, generator) -> EpochedExamplesIterable:
        return self.made_from(super().shuffle_data_sources(generator), ("shuffle", deepcopy(generator)))

    def shard_data_sources(self, num_shards: int, index: int, contiguous=True) -> EpochedExamplesIterable:
        return self.made_from(super().shard_data_sources(num_shards, index, contiguous=contiguous))

    def reshard_data_sources(self) -> EpochedExamplesIterable:
        return self.made_from(super().reshard_data_sources())

    def shift_rngs(self, value: int) -> EpochedExamplesIterable:
        return self.made_from(self, ("shift", int(value)))


def reseeded(source: Any, steps: tuple) -> Any:
    """``source`` (a stream of its own, made for this read) with ``steps`` applied to its pipeline, in order."""
    examples = source._ex_iterable
    for kind, value in steps:
        if kind == "shuffle":
            try:
                examples = examples.shuffle_data_sources(deepcopy(value))
            except DataSourcesShufflingDisallowed:
                pass  # the source's own take() or skip(): its order stays, as datasets keeps it
        else:
            examples = shift_ex_examples_rngs(examples, value)
    source._ex_iterable = examples
    return source
