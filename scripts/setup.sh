# Sourced by run-demo.sh and test.sh: the virtualenv, the Python packages under the lock
# (constraints.txt) and the front-end packages under package-lock.json. Each step is skipped
# when what it installs already matches its lock, so a second start is quick.
# Usage: QDSASAC_EXTRAS="test" . scripts/setup.sh

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PIP_DISABLE_PIP_VERSION_CHECK=1

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3; do
        if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
            echo "$candidate"
            return 0
        fi
    done
    echo "Python 3.11 is required (set PYTHON=/path/to/python3.11)." >&2
    return 1
}

# libmagic (Debian's libmagic1) types evidence uploads by their content.
if ! ldconfig -p 2>/dev/null | grep -q 'libmagic\.so\.1'; then
    echo "==> Installing Debian's libmagic1"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends libmagic1 \
        || { "${sudo_cmd[@]}" apt-get update -q \
            && DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends libmagic1; }
fi

if [ ! -x .venv/bin/python ]; then
    echo "==> Creating .venv"
    "$(find_python)" -m venv .venv
fi
VENV="$ROOT/.venv/bin"

extras="${QDSASAC_EXTRAS:-}"
stamp=".venv/.qdsasac-installed"
wanted="$(cat constraints.txt pyproject.toml | sha256sum | cut -d' ' -f1) extras:${extras}"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "==> Installing Python packages (constraints.txt${extras:+, extras: $extras})"
    # shellcheck disable=SC2086  # extras are separate words on purpose
    "$VENV/python" scripts/pyproject_deps.py $extras > .venv/requirements.txt
    "$VENV/python" -m pip install --quiet -c constraints.txt -r .venv/requirements.txt
    echo "$wanted" > "$stamp"
fi

lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f node_modules/.qdsasac-lock ] || [ "$(cat node_modules/.qdsasac-lock)" != "$lock_hash" ]; then
    echo "==> Installing front-end packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$lock_hash" > node_modules/.qdsasac-lock
fi
