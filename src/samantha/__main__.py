from samantha.cli.main import main

raise SystemExit(main())
