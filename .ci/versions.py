"""The installed versions of pyproject.toml's direct dependencies (runtime and test extra).

    python .ci/versions.py               name==version, one a line (the tested-*.txt format)
    python .ci/versions.py --moved FILE  the ones whose version differs from FILE's
"""

import re
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import tomllib


def installed() -> dict[str, str]:
    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    wanted = [*project["project"]["dependencies"],
              *project["project"]["optional-dependencies"]["test"]]
    out = {}
    for requirement in wanted:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower()
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "absent"
    return out


def main() -> None:
    now = installed()
    if sys.argv[1:2] != ["--moved"]:
        print("".join(f"{name}=={v}\n" for name, v in sorted(now.items())), end="")
        return
    lines = Path(sys.argv[2]).read_text().splitlines()
    tested = dict(line.strip().partition("==")[::2] for line in lines if "==" in line)
    for name, v in sorted(now.items()):
        if tested.get(name) != v:
            print(f"  {name} {v} (last green run: {tested.get(name, 'not listed')})")


main()
