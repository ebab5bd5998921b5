import sys

from energy_dw.validation.runner import main

sys.exit(main())
