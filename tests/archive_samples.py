"""Sample reports for the archive tests: the three real seed reports, plus the 乐清 seed retold as
a 宁波市北仑区 report (so that 北仑 occurs in exactly one report)."""

import pathlib
import shutil

from truth import SHARED

SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
LEQING_SEED = SHARED / "seeds" / "002_0a91ce1974c0f436.txt"


def copy_samples(folder: pathlib.Path) -> list[pathlib.Path]:
    """Copy the samples into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [pathlib.Path(shutil.copy(seed, folder / seed.name)) for seed in SEEDS]
    beilun = folder / "beilun.txt"
    beilun.write_text(
        LEQING_SEED.read_text(encoding="utf-8").replace("乐清市", "宁波市北仑区"), encoding="utf-8"
    )
    return [*files, beilun]
