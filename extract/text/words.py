"""jieba, the one word segmenter and part-of-speech tagger: loaded on first use, once per
process (about 0.8 s and 55 MB), shared by the places (a name counts only as a word of its
sentence) and the people (a token is a personal name when the tagger reads one)."""
from __future__ import annotations

import logging
from functools import lru_cache


@lru_cache(maxsize=1)
def tokenizer():
    """jieba's segmenter, an instance of its own, so no other user of jieba in the process is
    changed; built from the dictionary the package ships, not from jieba.cache in the temp
    folder (which any jieba version may have written, and which is no faster to read)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict…" debug lines
    tk = jieba.Tokenizer()
    tk.FREQ, tk.total = tk.gen_pfdict(tk.get_dict_file())
    tk.initialized = True
    return tk


@lru_cache(maxsize=1)
def tagger():
    """jieba's part-of-speech tagger over the same segmenter (its HMM knows surnames and given
    names: nr)."""
    import jieba.posseg

    return jieba.posseg.POSTokenizer(tokenizer())
