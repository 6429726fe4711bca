"""Run the energyopt CLI from a checkout: ``python cli.py solve INSTANCE --out DIR``."""
from energyopt.cli import main

if __name__ == "__main__":
    main()
