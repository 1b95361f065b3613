from newspairs.cli import main

raise SystemExit(main())
