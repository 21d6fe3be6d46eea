"""Print pyproject.toml's dependencies, one a line, plus those of the extras named as arguments.

The project itself is no installable package (``packages = []``), so the scripts and the
Dockerfile install its dependency list under constraints.txt instead of building it.
"""

import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text("utf-8"))["project"]
requirements = list(project["dependencies"])
for extra in sys.argv[1:]:
    requirements += project["optional-dependencies"][extra]
print("\n".join(requirements))
