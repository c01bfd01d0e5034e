"""Times the official NVlabs/stylegan3 code on this CPU, for `npm run bench -- --official DIR`.

Imports the official modules from DIR (never copied here) and times, for one row (T or R) and one
setting, the same cases as bench/bench.ts, with torch.set_num_threads(THREADS) and the official
reference CPU ops (on CPU, bias_act / upfirdn2d / filtered_lrelu take their `_ref` paths):

  G_forward  G(z) under no_grad (mapping + synthesis)
  G_phase    one Gmain phase of training_loop.py: zero_grad, requires_grad_(True),
             loss.accumulate_gradients('Gmain'), requires_grad_(False), nan_to_num, Adam step
  D_phase    the same for 'Dmain' (fakes with update_emas, D on fakes and reals)
  R1_phase   the same for 'Dreg' (gain 16, lazy R1)
  iteration  Gmain + Dmain + the G_ema update (one training iteration without Dreg)

Networks as train.py builds them (--cfg stylegan3-t/-r --cbase --cmax --map-depth --mbstd-group 4,
R doubles the generator's cbase/cmax, uses 1x1 convs, radial filters and the D blur at sigma 10),
num_fp16_res=0, no augmentation, style mixing and path length off (as train.py for SG3),
cur_nimg = 0. Prints one JSON object on stdout: per case the wall and process-CPU seconds of every
timed run (after `warmup` untimed ones).

    /usr/bin/python3 bench/official.py --official DIR --row T --res 32 --cbase 4096 --cmax 128 \
        --zdim 512 --wdim 512 --map 2 --batch 4 --runs 5
"""
import argparse
import json
import os
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--official', required=True, help='a checkout of NVlabs/stylegan3')
    p.add_argument('--row', choices=['T', 'R'], required=True)
    p.add_argument('--res', type=int, default=32)
    p.add_argument('--cbase', type=int, default=4096)
    p.add_argument('--cmax', type=int, default=128)
    p.add_argument('--zdim', type=int, default=512)
    p.add_argument('--wdim', type=int, default=512)
    p.add_argument('--map', type=int, default=2)
    p.add_argument('--dcbase', type=int, default=None, help='D channel_base (default: --cbase)')
    p.add_argument('--dcmax', type=int, default=None, help='D channel_max (default: --cmax)')
    p.add_argument('--batch', type=int, default=4)
    p.add_argument('--gamma', type=float, default=1.0)
    p.add_argument('--runs', type=int, default=5)
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--cases', default='G_forward,G_phase,D_phase,R1_phase,iteration')
    p.add_argument('--serve', action='store_true',
                   help='read case names from stdin, one per line, and answer each with one timed run as a JSON line '
                        '(bench.ts interleaves these runs with its own, so both sides see the same machine load)')
    return p.parse_args()


def build(a, torch):
    """G, D, G_ema, the loss and the two Adam optimizers, as train.py + training_loop.py set them up."""
    import copy
    from training.networks_stylegan3 import Generator
    from training.networks_stylegan2 import Discriminator
    from training.loss import StyleGAN2Loss
    is_r = a.row == 'R'
    g_kwargs = dict(z_dim=a.zdim, c_dim=0, w_dim=a.wdim, img_resolution=a.res, img_channels=3,
                    channel_base=a.cbase * (2 if is_r else 1), channel_max=a.cmax * (2 if is_r else 1),
                    num_fp16_res=0, mapping_kwargs=dict(num_layers=a.map),
                    magnitude_ema_beta=0.5 ** (a.batch / 20e3),
                    conv_kernel=1 if is_r else 3, use_radial_filters=is_r)
    d_kwargs = dict(c_dim=0, img_resolution=a.res, img_channels=3, architecture='resnet',
                    channel_base=a.dcbase or a.cbase, channel_max=a.dcmax or a.cmax, num_fp16_res=0,
                    block_kwargs=dict(freeze_layers=0), mapping_kwargs=dict(), epilogue_kwargs=dict(mbstd_group_size=4))
    torch.manual_seed(0)
    G = Generator(**g_kwargs).train().requires_grad_(False)
    D = Discriminator(**d_kwargs).train().requires_grad_(False)
    G_ema = copy.deepcopy(G).eval()
    loss = StyleGAN2Loss(device=torch.device('cpu'), G=G, D=D, augment_pipe=None, r1_gamma=a.gamma,
                         style_mixing_prob=0, pl_weight=0,
                         blur_init_sigma=10 if is_r else 0, blur_fade_kimg=a.batch * 200 / 32 if is_r else 0)
    mb = 16 / 17  # D_reg_interval 16: lazy-regularisation correction of D's Adam (G_reg_interval None)
    opt_g = torch.optim.Adam(G.parameters(), lr=0.0025, betas=[0, 0.99], eps=1e-8)
    opt_d = torch.optim.Adam(D.parameters(), lr=0.002 * mb, betas=[0, 0.99 ** mb], eps=1e-8)
    return G, D, G_ema, loss, opt_g, opt_d


def main():
    a = parse_args()
    sys.path.insert(0, os.path.abspath(a.official))
    import torch
    torch.set_num_threads(a.threads)
    from torch_utils import misc
    G, D, G_ema, loss, opt_g, opt_d = build(a, torch)
    gen = torch.Generator().manual_seed(1)
    real = (torch.randint(0, 256, [a.batch, 3, a.res, a.res], generator=gen).to(torch.float32) / 127.5 - 1)
    c = torch.zeros([a.batch, 0])

    def z():
        return torch.randn([a.batch, G.z_dim], generator=gen)

    def phase(name, module, opt, gain):
        # training_loop.py's phase body (one round: batch_gpu = batch).
        opt.zero_grad(set_to_none=True)
        module.requires_grad_(True)
        loss.accumulate_gradients(phase=name, real_img=real, real_c=c, gen_z=z(), gen_c=c, gain=gain, cur_nimg=0)
        module.requires_grad_(False)
        params = [p for p in module.parameters() if p.grad is not None]
        if len(params) > 0:
            flat = torch.cat([p.grad.flatten() for p in params])
            misc.nan_to_num(flat, nan=0, posinf=1e5, neginf=-1e5, out=flat)
            for p, g in zip(params, flat.split([p.numel() for p in params])):
                p.grad = g.reshape(p.shape)
        opt.step()

    def g_ema():
        with torch.no_grad():
            beta = 0.5 ** (a.batch / max(a.batch * 10 / 32 * 1000, 1e-8))
            for p_ema, p in zip(G_ema.parameters(), G.parameters()):
                p_ema.copy_(p.lerp(p_ema, beta))
            for b_ema, b in zip(G_ema.buffers(), G.buffers()):
                b_ema.copy_(b)

    def g_forward():
        with torch.no_grad():
            G(z(), c)

    cases = {
        'G_forward': g_forward,
        'G_phase': lambda: phase('Gmain', G, opt_g, 1),
        'D_phase': lambda: phase('Dmain', D, opt_d, 1),
        'R1_phase': lambda: phase('Dreg', D, opt_d, 16),
        'iteration': lambda: (phase('Gmain', G, opt_g, 1), phase('Dmain', D, opt_d, 1), g_ema()),
    }
    out = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'row': a.row, 'batch': a.batch,
           'g_params': sum(p.numel() for p in G.parameters()), 'd_params': sum(p.numel() for p in D.parameters()),
           'cases': {}}
    if a.serve:
        return serve(out, cases)
    for name in a.cases.split(','):
        fn = cases[name]
        for _ in range(a.warmup):
            fn()
        wall, cpu = [], []
        for _ in range(a.runs):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        out['cases'][name] = {'wall': wall, 'cpu': cpu}
    import resource
    out['max_rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    json.dump(out, sys.stdout)
    sys.stdout.write('\n')


def timed(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return {'wall': time.perf_counter() - t0, 'cpu': time.process_time() - c0}


def serve(info, cases):
    """--serve: one JSON line with the networks' sizes, then one timed run per case name read."""
    import resource
    print(json.dumps({**info, 'ready': True}), flush=True)
    for line in sys.stdin:
        name = line.strip()
        if name == 'quit' or not name:
            break
        if name not in cases:
            print(json.dumps({'error': f'unknown case {name!r}'}), flush=True)
            continue
        r = timed(cases[name])
        r['max_rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({'case': name, **r}), flush=True)


if __name__ == '__main__':
    main()
