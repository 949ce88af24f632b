# Sourced by the scripts: `uv` as a function, whether pip put its binary on the PATH or not.
uv() {
  if command -v uv >/dev/null 2>&1; then
    command uv "$@"
  else
    python3 -m uv "$@"
  fi
}
