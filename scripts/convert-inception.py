#!/usr/bin/python3
"""Convert pytorch-fid's FID Inception weights to sg3's Inception safetensors file.

Input:  pt_inception-2015-12-05-6726825d.pth, the plain state_dict that pytorch-fid distributes (the
        TF 2015-12-05 Inception graph ported to PyTorch; the network the official StyleGAN3 metrics use).
Output: safetensors with, for every BasicConv2d `<name>` (e.g. `Mixed_7c.branch_pool`),
        `<name>.weight` float32 [out, in, kh, kw] (OIHW) and `<name>.bias` float32 [out], the
        BatchNorm (eps 1e-3) folded in:  scale = gamma / sqrt(running_var + eps),
        weight = conv.weight * scale, bias = beta - running_mean * scale  (computed in float64).
        The classifier (`fc.*`) and `num_batches_tracked` are dropped: FID uses the pool3 features.

Usage:  /usr/bin/python3 scripts/convert-inception.py pt_inception-2015-12-05-6726825d.pth inception-2015-12-05.safetensors
Needs Debian's python3-torch (apt-get install python3-torch); no network access, nothing else.
Then point sg3 at the output: metrics.inception in the config, or SG3_INCEPTION=/path/to/it.
"""
import hashlib
import json
import os
import struct
import sys

import torch

BN_EPS = 1e-3          # torchvision BasicConv2d: BatchNorm2d(eps=0.001)
EXPECTED_CONVS = 94    # Conv2d_1a_3x3 ... Mixed_7c.branch_pool
FORMAT = 'sg3-inception-fid'


def fold(state, name):
    """One conv + its BatchNorm -> (weight OIHW float32, bias float32)."""
    w = state[f'{name}.conv.weight'].double()
    gamma = state[f'{name}.bn.weight'].double()
    beta = state[f'{name}.bn.bias'].double()
    mean = state[f'{name}.bn.running_mean'].double()
    var = state[f'{name}.bn.running_var'].double()
    scale = gamma / torch.sqrt(var + BN_EPS)
    return (w * scale[:, None, None, None]).float(), (beta - mean * scale).float()


def write_safetensors(path, tensors, metadata):
    """The safetensors layout: u64 LE header length, JSON header (space-padded to 8 bytes), raw LE data."""
    header = {'__metadata__': metadata}
    offset = 0
    blobs = []
    for name, t in tensors:
        data = t.contiguous().numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    head = json.dumps(header, separators=(',', ':')).encode('utf-8')
    head += b' ' * ((8 - len(head) % 8) % 8)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(head)))
        f.write(head)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)  # never leave a half-written file under the final name


def main(argv):
    if len(argv) != 3:
        sys.exit(f'usage: {argv[0]} pt_inception-2015-12-05-6726825d.pth out.safetensors')
    src, dst = argv[1], argv[2]
    state = torch.load(src, map_location='cpu')
    if not isinstance(state, dict) or 'Conv2d_1a_3x3.conv.weight' not in state:
        sys.exit(f'{src}: not the pytorch-fid Inception state_dict (no Conv2d_1a_3x3.conv.weight)')
    names = [k[:-len('.conv.weight')] for k in state if k.endswith('.conv.weight')]
    if len(names) != EXPECTED_CONVS:
        sys.exit(f'{src}: expected {EXPECTED_CONVS} convs, found {len(names)}')
    tensors = []
    for name in names:
        w, b = fold(state, name)
        tensors += [(f'{name}.weight', w), (f'{name}.bias', b)]
    with open(src, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    metadata = {'format': FORMAT, 'source': os.path.basename(src), 'source_sha256': digest, 'bn_eps': str(BN_EPS)}
    write_safetensors(dst, tensors, metadata)
    print(f'{dst}: {len(names)} convs, BatchNorm folded (eps {BN_EPS}); source sha256 {digest[:16]}')


if __name__ == '__main__':
    main(sys.argv)
