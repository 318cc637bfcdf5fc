#!/usr/bin/env python3
"""The sheet's Fashion-MNIST recipe trained in PyTorch, for the accuracy side of the comparison.

784-512-512-10 ReLU, inverted dropout keep 0.8 on the input and 0.5 on both hidden layers
(nn.Dropout takes the DROP probability: 0.2 and 0.5), softmax cross-entropy, SGD lr 0.05
momentum 0.9, batch 128 with one reshuffle per epoch, 20 epochs, float32, U(±1/√n_in) init (the
nn.Linear default, as nnlab's `uniform`). Prints the test accuracy after the last epoch for each
seed; the same recipe in nnlab:

  nnlab train --data fashion-mnist --arch 784-512-512-10 --activation relu --dropout inverted \\
      --keep 0.8,0.5 --optimizer sgd --lr 0.05 --momentum 0.9 --batch 128 --epochs 20 --seed S

Needs Debian's python3-torch (optional; nothing in the build or the tests uses it). Takes about a
minute per seed on one core.
"""
import argparse
import os
import statistics
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_workloads import FASHION_MNIST_DIR, mnist_mlp, read_idx  # noqa: E402


def load_split(folder, prefix):
    def find(stem):
        for name in (stem, stem + ".gz"):
            if os.path.exists(os.path.join(folder, name)):
                return os.path.join(folder, name)
        raise FileNotFoundError(f"{folder}: no {stem}[.gz] (install Debian's dataset-fashion-mnist)")

    images = read_idx(find(f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(find(f"{prefix}-labels-idx1-ubyte"))
    X = torch.from_numpy(images.reshape(len(images), -1).copy()).float() / 255.0
    return X, torch.from_numpy(labels.copy()).long()


def train_once(seed, data, epochs, batch=128):
    (X, y), (Xt, yt) = data
    torch.manual_seed(seed)
    model = mnist_mlp(dropout=True)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(X.shape[0], generator=generator)
        for i in range(0, X.shape[0], batch):
            idx = perm[i:i + batch]
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(X.index_select(0, idx)), y.index_select(0, idx)).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        return float((model(Xt).argmax(1) == yt).float().mean())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--data", default=FASHION_MNIST_DIR)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.set_flush_denormal(True)
    data = load_split(args.data, "train"), load_split(args.data, "t10k")
    accuracies = []
    for seed in (int(s) for s in args.seeds.split(",")):
        accuracies.append(train_once(seed, data, args.epochs))
        print(f"seed {seed}: test accuracy {100 * accuracies[-1]:.2f}%", flush=True)
    if len(accuracies) > 1:
        print(f"mean {100 * statistics.mean(accuracies):.2f}%, "
              f"sd {100 * statistics.stdev(accuracies):.2f} points over {len(accuracies)} seeds")


if __name__ == "__main__":
    main()
