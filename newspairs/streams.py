"""The examples of a stream `newspairs.feed.pack` makes, which take the epoch to their sources.

`pack` makes an `IterableDataset` from a generator that reads the source streams (its gen_kwargs).
At epoch ``e`` (`set_epoch` on the stream that is iterated: the packed one, or one made from it,
such as the dataloader's), `datasets` reshuffles a stream's pipeline: it shuffles the lists of
generator arguments with ``default_rng(e)`` and shifts the random generators of every buffer
shuffle it holds by ``e`` (`shift_ex_examples_rngs`, once more by the worker's id in a DataLoader
worker). A source read inside the generator is no part of that pipeline, so a shuffled source
gave the same order at every epoch. `EpochedExamplesIterable` takes the shifts it is given to the
generator (its ``shift`` argument), which reads each source at that epoch: as iterating the
source itself after ``source.set_epoch(e)``.

Imported by `newspairs.feed` when it packs a stream (this module imports `datasets`).
"""

from __future__ import annotations

from datasets.iterable_dataset import ExamplesIterable

SHIFT_ARGUMENT = "shift"


class EpochedExamplesIterable(ExamplesIterable):
    """`datasets`' examples of a generator, whose rng shifts (each epoch's, each worker's) reach the
    generator as its ``shift`` argument (their sum: a new value at each epoch for a given worker)."""

    def _same_kind(self, other: ExamplesIterable) -> EpochedExamplesIterable:
        # datasets' own methods make a plain ExamplesIterable: kept as this kind, with its arguments
        return EpochedExamplesIterable(other.generate_examples_fn, other.kwargs, other.generate_more_kwargs_fn,
                                       other.sleep_on_threads_shutdown)

    def shuffle_data_sources(self, generator) -> EpochedExamplesIterable:
        return self._same_kind(super().shuffle_data_sources(generator))

    def shard_data_sources(self, num_shards: int, index: int, contiguous=True) -> EpochedExamplesIterable:
        return self._same_kind(super().shard_data_sources(num_shards, index, contiguous=contiguous))

    def reshard_data_sources(self) -> EpochedExamplesIterable:
        return self._same_kind(super().reshard_data_sources())

    def shift_rngs(self, value: int) -> EpochedExamplesIterable:
        kwargs = {**self.kwargs, SHIFT_ARGUMENT: self.kwargs.get(SHIFT_ARGUMENT, 0) + int(value)}
        return EpochedExamplesIterable(self.generate_examples_fn, kwargs, self.generate_more_kwargs_fn,
                                       self.sleep_on_threads_shutdown)
