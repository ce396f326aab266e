# Shared set-up for scripts/run and scripts/test: a local virtual environment in .venv with
# gmmviz installed (editable) and, when asked, its test extra. Re-installs only when
# pyproject.toml changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON_BIN="${PYTHON:-python3}"

ensure_venv() {
    local extra="$1"  # "" or "[test]"
    if [ ! -x "$VENV/bin/python" ]; then
        echo "gmmviz: creating a virtual environment in .venv" >&2
        "$PYTHON_BIN" -m venv "$VENV"
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
    fi
    local stamp="$VENV/.installed${extra}"
    local test_stamp="$VENV/.installed[test]"  # the test extra includes the app
    if [ -z "$extra" ] && [ -f "$test_stamp" ] && [ ! "$ROOT/pyproject.toml" -nt "$test_stamp" ]; then
        return 0
    fi
    if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
        echo "gmmviz: installing gmmviz${extra} and its dependencies into .venv" >&2
        "$VENV/bin/python" -m pip install --quiet -e "$ROOT${extra}"
        touch "$stamp"
    fi
}
