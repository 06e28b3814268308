/**
 * train.py of a training export (trainingExport.ts): a DistributedDataParallel script that trains
 * model.py the way `model.fit` trained the notebook's model. Pure string building; the settings of the
 * fit arrive as one CONFIG literal so the script body stays the same for every model.
 *
 * The script body below is Python, kept whole so it reads as the file it becomes. Choices, with why:
 *   - the data are indexed directly with DistributedSampler's indices (no DataLoader): no worker
 *     processes, and the notebook's batch order is visible in ten lines;
 *   - --batch-size is the global batch, split evenly over the processes, so N processes take the
 *     same optimizer steps as the notebook (DDP averages the per-process gradients);
 *   - truncated BPTT wraps every recurrent module's forward in a windowed loop carrying detached
 *     state (the engine's rule: windows counted back from the last step), so one script serves
 *     every model; PyTorch has no built-in for it;
 *   - parameters in CONFIG["fixed_zero"] (bias_hh beside a single Keras bias) are frozen at zero,
 *     else the two biases would each take the engine's one step and the sum would move twice as far;
 *   - metrics.jsonl is rewritten whole after each epoch from the checkpoint's records, so a resumed
 *     run never holds a line twice.
 */

/** Settings written into train.py's CONFIG. */
export interface TrainConfig {
  epochs: number;
  batch_size: number;
  /** One loss name per model output. */
  loss: string[];
  /** exp(loss) is logged (fit's perplexity: a single "crossEntropy" loss). */
  perplexity: boolean;
  accuracy: boolean;
  optimizer: Record<string, number | boolean | string>;
  clip: { value: number | null; per_tensor: number | null; norm: number | null };
  tbptt: number | null;
  shuffle: boolean;
  seed: number;
  /** Model inputs; `indices[i]`: input i is given as integer token indices (an nn.Embedding module). */
  inputs: number;
  indices: boolean[];
  /** Model outputs; "first": the model returns (output, state) as torch.nn.RNN/LSTM/GRU do. */
  outputs: number;
  output: "all" | "first";
  validation: boolean;
  fixed_zero: string[];
  /** The lrSchedule (rnn.schedules name and options, `watch`: the record key reduceOnPlateau steps on), or null. */
  schedule: { name: string; watch: string; [option: string]: number | string | Record<string, number | string> } | null;
}

type PyValue = number | boolean | string | null | PyValue[] | { [k: string]: PyValue };

/** A Python literal for a JSON-like value (True/False/None, repr-style floats). */
export function pyLiteral(v: PyValue, indent = 0): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`train.py: cannot write ${v} as a setting`);
    return String(v);
  }
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((e) => pyLiteral(e, indent)).join(", ")}]`;
  const pad = " ".repeat(indent + 4);
  const rows = Object.entries(v).map(([k, e]) => `${pad}${JSON.stringify(k)}: ${pyLiteral(e, indent + 4)},`);
  return `{\n${rows.join("\n")}\n${" ".repeat(indent)}}`;
}

/** The torchrun line of the docs and the docstring, for N processes. */
export function torchrunLine(nproc: number | string, script = "train.py"): string {
  return `torchrun --standalone --nproc_per_node=${nproc} --redirects 1 --tee 1 ${script}`;
}

/** train.py for `config`; `summary` lines describe the notebook's fit in the docstring. */
export function trainPy(config: TrainConfig, summary: readonly string[]): string {
  return `"""
Trains the model of model.py as model.fit trained it in the RNN Notebook, with PyTorch's
DistributedDataParallel (DDP) over as many processes as torchrun starts.

The notebook's fit:
${summary.map((s) => `    ${s}`).join("\n")}

Run it (N processes: CPU cores, or one per GPU):

    torchrun --standalone --nproc_per_node=N train.py

Debian's python3-torch 1.13 on Python 3.11 crashes in torchrun's output handling unless its output is
redirected; add --redirects 1 --tee 1 there:

    ${torchrunLine("N")}

Options: --epochs E, --batch-size B (the global batch, split evenly over the N processes, as the
notebook's batchSize), --lr LR, --out DIR (default: this folder). One process works without torchrun
too: python3 train.py. Backend: NCCL when CUDA GPUs are present (process i on GPU LOCAL_RANK), gloo on CPU.

Written into --out:
    checkpoint.pt        after every epoch (weights, optimizer state, metrics); a new run resumes from it
    metrics.jsonl        one JSON line per epoch: epoch, loss (the mean of the epoch's batch losses,
                         weighted by batch size, as fit's history), val_loss, ... and time_s
    trained.safetensors  the final weights under PyTorch names; in the notebook
                         model.importPyTorch("<this folder>") loads them, rnn.data.readJsonl the metrics

With shuffling off the per-epoch losses are the notebook's (float32 rounding apart), on one process and
on N when N divides the number of samples (else DistributedSampler repeats a few to even them out).
Shuffled orders and dropout masks come from PyTorch's generators, not the notebook's.

python3 train.py --check-gradients FILE: one forward/backward on the first batch (no update), the
gradients before clipping written to FILE (safetensors), to compare with the notebook's
model.computeGradients(x, y, { loss, tbptt }).
"""
import argparse
import array
import json
import os
import struct
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from model import build_model, load_safetensors  # noqa: E402

# The notebook's fit. fixed_zero: state-dict names that stand for no weight of the notebook's model
# (bias_hh beside a Keras layer's single bias), held at zero: training both biases would move their sum
# twice as far. output "first": the model returns (output, state) and the loss reads the output.
CONFIG = ${pyLiteral(config as unknown as PyValue)}


def parse_args():
    p = argparse.ArgumentParser(description="DDP training of model.py with the notebook's fit settings.")
    p.add_argument("--epochs", type=int, default=CONFIG["epochs"])
    p.add_argument("--batch-size", type=int, default=CONFIG["batch_size"], help="global batch (all processes together)")
    p.add_argument("--lr", type=float, default=CONFIG["optimizer"]["lr"])
    p.add_argument("--out", default=HERE, help="folder of checkpoint.pt, metrics.jsonl, trained.safetensors")
    p.add_argument("--check-gradients", metavar="FILE", help="write the first batch's gradients to FILE and exit")
    return p.parse_args()


def save_safetensors(tensors, path):
    """Writes {name: tensor} as float32 .safetensors, atomically (the inverse of model.py's load_safetensors)."""
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        values = array.array("f", t.detach().to("cpu", torch.float32).reshape(-1).tolist())
        if sys.byteorder != "little":
            values.byteswap()
        chunk = values.tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(chunk)]}
        chunks.append(chunk)
        offset += len(chunk)
    text = json.dumps(header).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)
    os.replace(path + ".tmp", path)


def setup():
    """(rank, world size, device, distributed): joins torchrun's process group when torchrun started us."""
    cuda = torch.cuda.is_available()
    if "RANK" not in os.environ:
        return 0, 1, torch.device("cuda" if cuda else "cpu"), False
    dist.init_process_group("nccl" if cuda else "gloo")
    if cuda:
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        return dist.get_rank(), dist.get_world_size(), torch.device("cuda", local), True
    return dist.get_rank(), dist.get_world_size(), torch.device("cpu"), True


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def windowed(forward, k, time_dim):
    """A recurrent module's forward run in windows of k steps counted back from the last step
    ([T-k, T), [T-2k, T-k), ...; the first window may be shorter), the state carried from window to
    window but detached: the whole output is computed, only the gradient path is cut at the window
    boundaries, and the windows' gradients add up to one update per batch (the notebook's tbptt)."""
    def run(x, hx=None):
        steps = x.shape[time_dim]
        outputs, state, start, end = [], hx, 0, steps % k or k
        while start < steps:
            if start > 0:
                state = detach(state)  # truncate: no gradient into the previous window
            out, state = forward(x.narrow(time_dim, start, end - start), state)
            outputs.append(out)
            start, end = end, end + k
        return torch.cat(outputs, time_dim), state
    return run


def build(device):
    model = build_model()
    model.load_state_dict(load_safetensors(os.path.join(HERE, "weights.safetensors")))
    for name, p in model.named_parameters():
        if name in CONFIG["fixed_zero"]:
            p.requires_grad_(False)  # stands for no weight of the notebook's model (see CONFIG)
    if CONFIG["tbptt"]:
        for module in model.modules():
            if isinstance(module, (nn.RNN, nn.LSTM, nn.GRU)) or type(module).__name__ == "KerasStyleRecurrent":
                time_dim = 1 if getattr(module, "batch_first", True) else 0
                module.forward = windowed(module.forward, CONFIG["tbptt"], time_dim)
    return model.to(device).train()


def batch_of(data, prefix, idx, device):
    xs = [data[f"{prefix}x.{i}"][idx].to(device) for i in range(CONFIG["inputs"])]
    xs = [x.long() if CONFIG["indices"][i] else x for i, x in enumerate(xs)]
    ys = [data[f"{prefix}y.{i}"][idx].to(device) for i in range(CONFIG["outputs"])]
    return xs, ys


def outputs_of(out):
    if CONFIG["output"] == "first":  # torch.nn.RNN / LSTM / GRU return (output, state)
        return [out[0]]
    return list(out) if isinstance(out, (tuple, list)) else [out]


def loss_of(name, pred, target):
    """The engine's losses (src/engine/loss.ts), each a mean as PyTorch's reduction="mean"."""
    if name == "mse":
        return F.mse_loss(pred.reshape(-1), target.reshape(-1).to(pred.dtype))
    if name == "binaryCrossEntropy":
        return F.binary_cross_entropy(pred.reshape(-1), target.reshape(-1).to(pred.dtype))
    classes = pred.shape[-1]
    logits = pred.reshape(-1, classes)
    if target.numel() == logits.shape[0]:  # class indices
        return F.cross_entropy(logits, target.reshape(-1).long())
    return -(target.reshape(-1, classes).to(logits.dtype) * F.log_softmax(logits, -1)).sum(-1).mean()  # one-hot rows


def correct_of(name, pred, target):
    """(correct, counted) of the accuracy metric as the engine counts it."""
    if name == "binaryCrossEntropy":
        return ((pred.reshape(-1) > 0.5) == (target.reshape(-1) > 0.5)).sum().item(), pred.numel()
    classes = pred.shape[-1]
    logits = pred.reshape(-1, classes)
    want = target.reshape(-1).long() if target.numel() == logits.shape[0] else target.reshape(-1, classes).argmax(-1)
    return (logits.argmax(-1) == want).sum().item(), logits.shape[0]


def batch_loss(model, xs, ys):
    """The batch loss, summed over the model's outputs (as fit does), and the predictions."""
    preds = outputs_of(model(*xs))
    return sum(loss_of(CONFIG["loss"][i], p, y) for i, (p, y) in enumerate(zip(preds, ys))), preds


def make_optimizer(params, lr):
    o = CONFIG["optimizer"]
    if o["name"] == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=o["momentum"], dampening=o["dampening"],
                               nesterov=o["nesterov"], weight_decay=o["weightDecay"])
    if o["name"] == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=o["alpha"], eps=o["eps"], momentum=o["momentum"],
                                   centered=o["centered"], weight_decay=o["weightDecay"])
    return torch.optim.Adam(params, lr=lr, betas=(o["beta1"], o["beta2"]), eps=o["eps"], weight_decay=o["weightDecay"])


def make_schedule(optimizer):
    """fit's lrSchedule as torch.optim.lr_scheduler: the rate of epoch e from the starting lr (rnn.schedules' semantics)."""
    s = CONFIG["schedule"]
    if s is None:
        return None
    S = torch.optim.lr_scheduler

    def one(s):
        if s["name"] == "step":
            return S.StepLR(optimizer, step_size=s["stepSize"], gamma=s["gamma"])
        if s["name"] == "exponential":
            return S.ExponentialLR(optimizer, gamma=s["gamma"])
        if s["name"] == "cosine":
            return S.CosineAnnealingLR(optimizer, T_max=s["tMax"], eta_min=s["etaMin"])
        if s["name"] == "reduceOnPlateau":
            return S.ReduceLROnPlateau(optimizer, factor=s["factor"], patience=s["patience"], threshold=s["threshold"],
                                       threshold_mode=s["thresholdMode"], cooldown=s["cooldown"], min_lr=s["minLr"], eps=s["eps"])
        if s["name"] == "warmup":
            ramp = S.LinearLR(optimizer, start_factor=s["startFactor"], total_iters=s["epochs"])
            if "then" not in s:
                return ramp
            return S.SequentialLR(optimizer, [ramp, one(s["then"])], milestones=[s["epochs"]])
        raise SystemExit(f"unknown learning-rate schedule {s['name']}")

    return one(s)


def step_schedule(schedule, record):
    if schedule is None:
        return
    if isinstance(schedule, torch.optim.lr_scheduler.ReduceLROnPlateau):
        schedule.step(record[CONFIG["schedule"]["watch"]])
    else:
        schedule.step()


def clip(params):
    """fit's clipping, in its order: by value, per tensor, then by global norm (clip to mitigate exploding gradients)."""
    c = CONFIG["clip"]
    if c["value"] is not None:
        torch.nn.utils.clip_grad_value_(params, c["value"])
    if c["per_tensor"] is not None:
        for p in params:
            norm = p.grad.norm()
            if norm > c["per_tensor"]:
                p.grad.mul_(c["per_tensor"] / norm)
    if c["norm"] is not None:
        torch.nn.utils.clip_grad_norm_(params, c["norm"])


def evaluate(model, data, device, batch):
    """Validation loss (and accuracy) in eval mode, batch means weighted by batch size, as fit's valLoss."""
    n = data["val_x.0"].shape[0]
    total, correct, counted = 0.0, 0, 0
    model.eval()
    with torch.no_grad():
        for s in range(0, n, batch):
            xs, ys = batch_of(data, "val_", torch.arange(s, min(n, s + batch)), device)
            loss, preds = batch_loss(model, xs, ys)
            total += loss.item() * xs[0].shape[0]
            for i, (p, y) in enumerate(zip(preds, ys)):
                if CONFIG["accuracy"]:
                    c, k = correct_of(CONFIG["loss"][i], p, y)
                    correct, counted = correct + c, counted + k
    model.train()
    return total / n, (correct / counted if counted else None)


def check_gradients(model, data, device, batch, path):
    n = data["x.0"].shape[0]
    xs, ys = batch_of(data, "", torch.arange(min(n, batch)), device)
    model.zero_grad()
    loss, _ = batch_loss(model, xs, ys)
    loss.backward()
    grads = {name: p.grad for name, p in model.named_parameters() if p.grad is not None}
    save_safetensors(grads, path)
    print(f"loss {loss.item():.8e}; gradients of {len(grads)} tensors in {path}")


def main():
    args = parse_args()
    rank, world, device, distributed = setup()
    data = load_safetensors(os.path.join(HERE, "data.safetensors"))
    model = build(device)
    if args.check_gradients:
        check_gradients(model, data, device, args.batch_size, args.check_gradients)
        return
    trainable = [p for p in model.parameters() if p.requires_grad]
    net = DistributedDataParallel(model) if distributed else model
    optimizer = make_optimizer(trainable, args.lr)
    schedule = make_schedule(optimizer)
    os.makedirs(args.out, exist_ok=True)
    checkpoint = os.path.join(args.out, "checkpoint.pt")
    first, records = 1, []
    if os.path.exists(checkpoint):
        state = torch.load(checkpoint, map_location=device)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if schedule is not None:
            schedule.load_state_dict(state["schedule"])  # the rate of the next epoch, as saved
        else:
            for group in optimizer.param_groups:
                group["lr"] = args.lr
        first, records = state["epoch"] + 1, state["metrics"]
        if rank == 0:
            print(f"resuming after epoch {state['epoch']} from {checkpoint}", flush=True)
    if args.batch_size % world:
        raise SystemExit(f"--batch-size {args.batch_size} does not split evenly over {world} processes")
    per_process = args.batch_size // world
    n = data["x.0"].shape[0]
    sampler = DistributedSampler(range(n), num_replicas=world, rank=rank, shuffle=CONFIG["shuffle"], seed=CONFIG["seed"])
    started = time.time()
    for epoch in range(first, args.epochs + 1):
        sampler.set_epoch(epoch)
        order = list(sampler)
        # loss x samples, samples, correct, counted: summed over the batches, then over the processes
        totals = torch.zeros(4, dtype=torch.float64, device=device)
        for b in range(0, len(order), per_process):
            xs, ys = batch_of(data, "", torch.tensor(order[b:b + per_process]), device)
            optimizer.zero_grad(set_to_none=True)
            loss, preds = batch_loss(net, xs, ys)
            if not torch.isfinite(loss):
                raise SystemExit(f"the loss became {loss.item()} at epoch {epoch}: try clipNorm or a lower --lr")
            loss.backward()
            clip(trainable)
            optimizer.step()
            totals[0] += loss.item() * xs[0].shape[0]
            totals[1] += xs[0].shape[0]
            if CONFIG["accuracy"]:
                for i, (p, y) in enumerate(zip(preds, ys)):
                    c, k = correct_of(CONFIG["loss"][i], p.detach(), y)
                    totals[2] += c
                    totals[3] += k
        if distributed:
            dist.all_reduce(totals)
        record = {"epoch": epoch, "loss": totals[0].item() / totals[1].item()}
        if CONFIG["perplexity"]:
            record["perplexity"] = float(torch.tensor(record["loss"], dtype=torch.float64).exp())
        if CONFIG["accuracy"]:
            record["accuracy"] = totals[2].item() / totals[3].item()
        if CONFIG["validation"]:
            record["val_loss"], val_accuracy = evaluate(model, data, device, args.batch_size)
            if CONFIG["perplexity"]:
                record["val_perplexity"] = float(torch.tensor(record["val_loss"], dtype=torch.float64).exp())
            if val_accuracy is not None:
                record["val_accuracy"] = val_accuracy
        record["time_s"] = round(time.time() - started, 3)
        records.append(record)
        step_schedule(schedule, record)
        if rank == 0:
            torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict(), "metrics": records,
                        "schedule": schedule.state_dict() if schedule is not None else None},
                       checkpoint + ".tmp")
            os.replace(checkpoint + ".tmp", checkpoint)
            with open(os.path.join(args.out, "metrics.jsonl.tmp"), "w") as f:
                f.write("".join(json.dumps(r) + "\\n" for r in records))
            os.replace(os.path.join(args.out, "metrics.jsonl.tmp"), os.path.join(args.out, "metrics.jsonl"))
            print(json.dumps(record), flush=True)
        if distributed:
            dist.barrier()  # every process finishes the epoch before the next (and before the final save)
    if rank == 0:
        save_safetensors(model.state_dict(), os.path.join(args.out, "trained.safetensors"))
        print(f"trained weights: {os.path.join(args.out, 'trained.safetensors')}", flush=True)
    # Every process reports the same weights: DDP kept the replicas in step.
    checksum = sum(p.detach().double().sum().item() for p in model.parameters())
    print(f"process {rank} of {world}: finished, weight checksum {checksum:.12e}", flush=True)
    if distributed:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
`;
}
