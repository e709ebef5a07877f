import sys

from policywatch.cli.main import main

sys.exit(main())
