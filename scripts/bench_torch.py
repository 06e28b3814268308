#!/usr/bin/python3
"""PyTorch side of `npm run bench`: one workload x one cell type, 1 thread (or cfg "threads").

Run by scripts/bench.mjs as a subprocess with Debian's /usr/bin/python3 (python3-torch, OpenBLAS)
and OMP_NUM_THREADS=1 (for "threads": 2, OMP_NUM_THREADS=2 and OMP_WAIT_POLICY=PASSIVE). Prints one JSON object on stdout:
  { "system": "pytorch", "forwardMs": [...], "trainMs": [...], "maxRssMB": n, "torch": "1.13.1", ... }

The model is the one every system in the benchmark builds: `layers` stacked recurrent layers
(batch-first, [B, T, I] in), the last layer's final hidden state into Linear(H, 1), MSE loss against a
fixed random target, Adam(lr=1e-3). A training step is zero_grad + forward + backward (full BPTT) +
optimizer.step; a forward step is the same forward under torch.no_grad().

Usage: bench_torch.py '{"cell":"lstm","B":32,"T":20,"I":6,"H":16,"layers":2,"warmup":3,"reps":20,"budgetMs":20000}'
"""
import json
import os
import resource
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
import torch  # noqa: E402  (after OMP_NUM_THREADS)


def timed(fn, warmup, reps, budget_ms):
    """Like scripts/bench/common.mjs timed(): warm-up, then up to `reps` timed runs within budget_ms
    (at least one); a warm-up run over 10 s counts as the first sample. Returns wall-clock and
    process CPU milliseconds per run."""
    times, cpu = [], []
    t0 = time.perf_counter()
    for _ in range(warmup):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        t = (time.perf_counter() - t0) * 1e3
        if t > 10000:
            times.append(t)
            cpu.append((time.process_time() - c0) * 1e3)
            break
    # The budget counts from the first sample, which is the long warm-up run when one was counted.
    start = t0 if times else time.perf_counter()
    while len(times) < reps:
        if times and (time.perf_counter() - start) * 1e3 > budget_ms:
            break
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    return times, cpu


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(cfg.get("threads", 1))
    torch.manual_seed(0)
    B, T, I, H, L = cfg["B"], cfg["T"], cfg["I"], cfg["H"], cfg["layers"]
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cfg["cell"]]
    rnn = cls(I, H, num_layers=L, batch_first=True)
    head = torch.nn.Linear(H, 1)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    x = torch.randn(B, T, I)
    y = torch.randn(B, 1)

    def forward():
        out, _ = rnn(x)
        return head(out[:, -1, :])

    def infer():
        with torch.no_grad():
            forward()

    def train():
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.mse_loss(forward(), y)
        loss.backward()
        opt.step()

    warmup, reps, budget = cfg.get("warmup", 3), cfg.get("reps", 20), cfg.get("budgetMs", 20000)
    fwd, fwd_cpu = timed(infer, warmup, reps, budget)
    trn, trn_cpu = timed(train, warmup, reps, budget)
    # ru_maxrss is in KiB on Linux.
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "system": "pytorch",
        "forwardMs": fwd,
        "trainMs": trn,
        "forwardCpuMs": fwd_cpu,
        "trainCpuMs": trn_cpu,
        "maxRssMB": round(max_rss_mb, 1),
        "version": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": "openblas" if "openblas" in open("/proc/self/maps").read() else "unknown",
    }))


if __name__ == "__main__":
    main()
