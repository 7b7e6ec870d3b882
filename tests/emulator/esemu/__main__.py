"""python3 -m esemu, run from tests/emulator: the same as python3 tests/emulator/esemu.py."""

from .cli import main

if __name__ == "__main__":
    main()
