"""PyTorch twin of `scratch bench train fcos|borderdet`: the same detector (torchvision ResNet with trainable BN, no
frozen stage; FPN P3-P5 with P6/P7 from P5; FCOS head with GroupNorm towers, per-level Scale, centerness on the box
tower; BorderDet's border branches with BorderAlign written in plain torch ops), the same target assignment and
losses as the parity fixtures (Tests/Fixtures/make_fcos_fixture.py, make_borderdet_fixture.py: centre sampling 1.5,
focal .25/2, GIoU weighted by centerness, centerness BCE, border focal + L1), the same synthetic batch, SGD
(lr 0.001, momentum 0.9, weight decay 1e-4 except norm layers, gradient clipping to norm 5), and the same timing
(median of --iters full steps after --warmup). Prints one JSON object in the fields of `scratch bench train --json`.

Usage: /usr/bin/python3 Benchmarks/torch_det_train.py fcos|borderdet [--backbone resnet18] [--fpn-channels 64]
       [--convs 2] [--batch 2] [--size 256] [--iters 5] [--warmup 2] [--threads 2] [--json]
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F
import torchvision
from torch import nn

NUM_CLASSES, BOXES_PER_IMAGE = 10, 4
STRIDES = [8, 16, 32, 64, 128]
SIZES = [(-1, 64), (64, 128), (128, 256), (256, 512), (512, float("inf"))]
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


# ----------------------------------------------------------------------------------------------------------- model
class Backbone(nn.Module):
    """torchvision ResNet without avgpool/fc (Scratch's `backbone.bottom_up`), returning C3-C5."""

    def __init__(self, name):
        super().__init__()
        r = getattr(torchvision.models, name)()
        self.stem = nn.Sequential(r.conv1, r.bn1, r.relu, r.maxpool)
        self.layer1, self.layer2, self.layer3, self.layer4 = r.layer1, r.layer2, r.layer3, r.layer4

    def forward(self, x):
        c2 = self.layer1(self.stem(x))
        c3 = self.layer2(c2)
        c4 = self.layer3(c3)
        return [c3, c4, self.layer4(c4)]


class Fpn(nn.Module):
    def __init__(self, in_ch, ch):
        super().__init__()
        self.lateral = nn.ModuleList(nn.Conv2d(c, ch, 1) for c in in_ch)
        self.output = nn.ModuleList(nn.Conv2d(ch, ch, 3, padding=1) for _ in in_ch)
        self.p6 = nn.Conv2d(ch, ch, 3, stride=2, padding=1)
        self.p7 = nn.Conv2d(ch, ch, 3, stride=2, padding=1)

    def forward(self, cs):
        lat = [m(c) for m, c in zip(self.lateral, cs)]
        prev = lat[-1]
        outs = [self.output[2](prev)]
        for i in (1, 0):
            prev = lat[i] + F.interpolate(prev, scale_factor=2, mode="nearest")
            outs.insert(0, self.output[i](prev))
        p6 = self.p6(outs[-1])
        return outs + [p6, self.p7(F.relu(p6))]


class FcosHead(nn.Module):
    def __init__(self, ch, convs, ncls, groups=32):
        super().__init__()

        def tower():
            layers = []
            for _ in range(convs):
                layers += [nn.Conv2d(ch, ch, 3, padding=1), nn.GroupNorm(groups, ch), nn.ReLU()]
            return nn.Sequential(*layers)

        self.cls_subnet, self.bbox_subnet = tower(), tower()
        self.cls_score = nn.Conv2d(ch, ncls, 3, padding=1)
        self.bbox_pred = nn.Conv2d(ch, 4, 3, padding=1)
        self.centerness = nn.Conv2d(ch, 1, 3, padding=1)
        self.scales = nn.ParameterList(nn.Parameter(torch.ones(1)) for _ in STRIDES)
        for m in self.modules():  # cvpods' head init: N(0, 0.01) weights, zero biases, prior-probability cls bias
            if isinstance(m, nn.Conv2d):
                nn.init.normal_(m.weight, std=0.01)
                nn.init.zeros_(m.bias)
        nn.init.constant_(self.cls_score.bias, -math.log(99))

    def forward(self, ps):
        out = {k: [] for k in ("cls", "box", "ctr", "clst", "boxt")}
        for l, p in enumerate(ps):
            c, b = self.cls_subnet(p), self.bbox_subnet(p)
            out["clst"].append(c)
            out["boxt"].append(b)
            out["cls"].append(self.cls_score(c))
            out["ctr"].append(self.centerness(b))
            out["box"].append(F.relu(self.bbox_pred(b) * self.scales[l]) * STRIDES[l])
        return out


def border_align(feat, boxes, pool):
    """feat [N, 4C, H, W], boxes [N, L, 4] (feature units, clamped) -> [N, C, L, 4] (make_borderdet_fixture.py)."""
    n, c4, h, w = feat.shape
    c = c4 // 4
    x1, y1, x2, y2 = boxes.unbind(-1)
    i = torch.arange(pool + 1, dtype=feat.dtype)
    dx = ((x2 - x1) / pool)[..., None] * i
    dy = ((y2 - y1) / pool)[..., None] * i
    e = torch.ones_like(dx)
    pts = [(y1[..., None] * e, x1[..., None] + dx), (y1[..., None] + dy, x1[..., None] * e),
           (y2[..., None] * e, x2[..., None] - dx), (y2[..., None] - dy, x2[..., None] * e)]
    out = []
    for s, (ys, xs) in enumerate(pts):
        plane = feat[:, s * c:(s + 1) * c].reshape(n, c, h * w)

        def corners(v, size):
            v = v.clamp(min=0)  # x2 - P*dx can round to -1e-7; the kernel treats v <= 0 as 0
            lo = v.floor().long()
            at_end = lo >= size - 1
            lo = torch.where(at_end, torch.full_like(lo, size - 1), lo)
            hi = torch.where(at_end, lo, lo + 1)
            v = torch.where(at_end, lo.to(v.dtype), v)
            return lo, hi, v - lo.to(v.dtype)

        yl, yh, ly = corners(ys, h)
        xl, xh, lx = corners(xs, w)
        hy, hx = 1 - ly, 1 - lx

        def read(yy, xx):
            idx = (yy * w + xx).reshape(n, 1, -1).expand(n, c, -1)
            return plane.gather(2, idx).reshape(n, c, *ys.shape[1:])

        val = (hy * hx)[:, None] * read(yl, xl) + (hy * lx)[:, None] * read(yl, xh) \
            + (ly * hx)[:, None] * read(yh, xl) + (ly * lx)[:, None] * read(yh, xh)
        out.append(val.max(dim=-1).values)
    return torch.stack(out, dim=-1)


class InstanceNorm(nn.InstanceNorm2d):
    """nn.InstanceNorm2d (no affine) without PyTorch's Python-side refusal of 1x1 maps in training (P7 of a small
    image), which Scratch's InstanceNorm2d normalises to zeros like the aten kernel does."""

    def forward(self, x):
        return torch.instance_norm(x, None, None, None, None, True, 0.1, self.eps, False)


class BorderBranch(nn.Module):
    def __init__(self, cin, cb, pool=10):
        super().__init__()
        self.pool = pool
        self.cur_point_conv = nn.Sequential(nn.Conv2d(cin, cb, 1), InstanceNorm(cb), nn.ReLU())
        self.ltrb_conv = nn.Sequential(nn.Conv2d(cin, 4 * cb, 1), InstanceNorm(4 * cb), nn.ReLU())
        self.border_conv = nn.Sequential(nn.Conv2d(5 * cb, cin, 1), nn.ReLU())

    def forward(self, feature, boxes):
        n, _, h, w = feature.shape
        short = self.cur_point_conv(feature)
        ltrb = self.ltrb_conv(feature)
        b = border_align(ltrb, boxes.detach(), self.pool).permute(0, 3, 1, 2).reshape(n, -1, h, w)
        return self.border_conv(torch.cat([b, short], dim=1))


class Detector(nn.Module):
    def __init__(self, kind, backbone, ch, convs):
        super().__init__()
        self.kind = kind
        self.bottom_up = Backbone(backbone)
        in_ch = [128, 256, 512] if backbone in ("resnet18", "resnet34") else [512, 1024, 2048]
        self.fpn = Fpn(in_ch, ch)
        self.head = FcosHead(ch, convs, NUM_CLASSES)
        if kind == "borderdet":
            self.border_cls_subnet = BorderBranch(ch, 256)
            self.border_bbox_subnet = BorderBranch(ch, 128)
            self.border_cls_score = nn.Conv2d(ch, NUM_CLASSES, 1)
            self.border_bbox_pred = nn.Conv2d(ch, 4, 1)
            for name, m in self.named_modules():
                if name.startswith("border") and isinstance(m, nn.Conv2d):
                    nn.init.normal_(m.weight, std=0.01)
                    nn.init.zeros_(m.bias)
            nn.init.constant_(self.border_cls_score.bias, -math.log(99))

    def forward(self, images):
        mean = torch.tensor(MEAN).reshape(1, 3, 1, 1)
        std = torch.tensor(STD).reshape(1, 3, 1, 1)
        return self.head(self.fpn(self.bottom_up((images - mean) / std)))


# ------------------------------------------------------------------------------------------------------------ data
def synthetic_batch(batch, size):
    """DetectorTrainBench.SyntheticBatch, bit for bit."""
    img = torch.full((batch, 3, size, size), 0.2)
    boxes, labels = [], []
    for n in range(batch):
        b, l = [], []
        for k in range(BOXES_PER_IMAGE):
            j = n * BOXES_PER_IMAGE + k
            w = size // 8 + 29 * j % (size // 4)
            h = size // 8 + 41 * j % (size // 4)
            x1 = (37 * j + 11) % (size - w)
            y1 = (53 * j + 7) % (size - h)
            lab = j % NUM_CLASSES
            for c in range(3):
                img[n, c, y1:y1 + h, x1:x1 + w] = torch.tensor(0.3, dtype=torch.float32) + \
                    torch.tensor(0.06, dtype=torch.float32) * lab + torch.tensor(0.1, dtype=torch.float32) * c
            b.append([x1, y1, x1 + w, y1 + h])
            l.append(lab)
        boxes.append(torch.tensor(b, dtype=torch.float32))
        labels.append(torch.tensor(l, dtype=torch.int64))
    return img, boxes, labels


# ------------------------------------------------------------------------------------- targets (make_fcos_fixture)
def shifts_of(features):
    out = []
    for f, s in zip(features, STRIDES):
        h, w = f.shape[-2:]
        ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32) * s, torch.arange(w, dtype=torch.float32) * s,
                                indexing="ij")
        out.append(torch.stack([xs.reshape(-1), ys.reshape(-1)], 1))
    return out


def fcos_targets(shifts, gt):
    allp = torch.cat(shifts)
    lo = torch.cat([torch.full((len(sh),), float(a)) for sh, (a, _) in zip(shifts, SIZES)])
    hi = torch.cat([torch.full((len(sh),), float(b)) for sh, (_, b) in zip(shifts, SIZES)])
    rad = torch.cat([torch.full((len(sh),), 1.5 * s) for sh, s in zip(shifts, STRIDES)])
    cls_t, del_t, ctr_t = [], [], []
    for boxes, labels in gt:
        x, y = allp[None, :, 0], allp[None, :, 1]
        d = torch.stack([x - boxes[:, None, 0], y - boxes[:, None, 1], boxes[:, None, 2] - x, boxes[:, None, 3] - y], -1)
        cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
        cb = torch.stack([torch.max(cx[:, None] - rad[None], boxes[:, None, 0]),
                          torch.max(cy[:, None] - rad[None], boxes[:, None, 1]),
                          torch.min(cx[:, None] + rad[None], boxes[:, None, 2]),
                          torch.min(cy[:, None] + rad[None], boxes[:, None, 3])], -1)
        inside = torch.stack([x - cb[..., 0], y - cb[..., 1], cb[..., 2] - x, cb[..., 3] - y], -1).min(-1).values > 0
        m = d.max(-1).values
        cared = (m >= lo[None]) & (m <= hi[None])
        area = ((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))[:, None].repeat(1, len(allp))
        area[~inside] = math.inf
        area[~cared] = math.inf
        best_area, idx = area.min(0)
        dd = torch.stack([allp[:, 0] - boxes[idx, 0], allp[:, 1] - boxes[idx, 1],
                          boxes[idx, 2] - allp[:, 0], boxes[idx, 3] - allp[:, 1]], 1)
        c = labels[idx].clone()
        c[best_area == math.inf] = NUM_CLASSES
        lr, tb = dd[:, [0, 2]], dd[:, [1, 3]]
        ct = torch.sqrt((lr.min(-1).values / lr.max(-1).values).clamp(min=0) *
                        (tb.min(-1).values / tb.max(-1).values).clamp(min=0))
        bg = c == NUM_CLASSES
        dd[bg] = 0
        ct[bg] = 0
        cls_t.append(c)
        del_t.append(dd)
        ctr_t.append(ct)
    return torch.stack(cls_t), torch.stack(del_t), torch.stack(ctr_t)


def focal_sum(logits, onehot):
    p = logits.sigmoid()
    ce = F.binary_cross_entropy_with_logits(logits, onehot, reduction="none")
    pt = p * onehot + (1 - p) * (1 - onehot)
    return ((0.25 * onehot + 0.75 * (1 - onehot)) * ce * (1 - pt) ** 2).sum()


def flat(lst, k):
    n = lst[0].shape[0]
    return torch.cat([t.permute(0, 2, 3, 1).reshape(n, -1, k) for t in lst], 1).reshape(-1, k)


def fcos_losses(o, targets):
    cls_t, del_t, ctr_t = targets
    logits, box, ctr = flat(o["cls"], NUM_CLASSES), flat(o["box"], 4), flat(o["ctr"], 1).reshape(-1)
    gc = cls_t.reshape(-1)
    fg = gc != NUM_CLASSES
    num_fg = fg.sum().item()
    onehot = torch.zeros_like(logits)
    onehot[fg, gc[fg]] = 1
    loss_cls = focal_sum(logits, onehot) / max(1.0, num_fg)
    ctf = ctr_t.reshape(-1)[fg]
    a, b = box[fg], del_t.reshape(-1, 4)[fg]
    a = torch.cat([-a[:, :2], a[:, 2:]], 1)
    b = torch.cat([-b[:, :2], b[:, 2:]], 1)
    eps = torch.finfo(torch.float32).eps
    area_a = (a[:, 2] - a[:, 0]).clamp(min=0) * (a[:, 3] - a[:, 1]).clamp(min=0)
    area_b = (b[:, 2] - b[:, 0]).clamp(min=0) * (b[:, 3] - b[:, 1]).clamp(min=0)
    iw = (torch.min(a[:, 2], b[:, 2]) - torch.max(a[:, 0], b[:, 0])).clamp(min=0)
    ih = (torch.min(a[:, 3], b[:, 3]) - torch.max(a[:, 1], b[:, 1])).clamp(min=0)
    inter = iw * ih
    union = area_a + area_b - inter
    iou = inter / union.clamp(min=eps)
    hull = (torch.max(a[:, 2], b[:, 2]) - torch.min(a[:, 0], b[:, 0])) * \
        (torch.max(a[:, 3], b[:, 3]) - torch.min(a[:, 1], b[:, 1]))
    giou = iou - (hull - union) / hull.clamp(min=eps)
    loss_box = ((1 - giou) * ctf).sum() / max(1.0, ctf.sum().item())
    loss_ctr = F.binary_cross_entropy_with_logits(ctr[fg], ctf, reduction="sum") / max(1.0, num_fg)
    return {"loss_cls": loss_cls, "loss_box_reg": loss_box, "loss_centerness": loss_ctr}


# ------------------------------------------------------------------------------ border part (make_borderdet_fixture)
def pairwise_iou(a, b):
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    wh = (torch.min(a[:, None, 2:], b[:, 2:]) - torch.max(a[:, None, :2], b[:, :2])).clamp(min=0)
    inter = wh.prod(dim=2)
    return torch.where(inter > 0, inter / (area_a[:, None] + area_b - inter), torch.zeros(1))


def border_losses(model, o, shifts, gt):
    coarse, logits, deltas = [], [], []
    for l, (box, sh) in enumerate(zip(o["box"], shifts)):
        n, _, h, w = box.shape
        off = box.detach().permute(0, 2, 3, 1).reshape(n, -1, 4)
        pre = torch.stack([sh[:, 0] - off[..., 0], sh[:, 1] - off[..., 1],
                           sh[:, 0] + off[..., 2], sh[:, 1] + off[..., 3]], dim=2)
        align = pre / STRIDES[l]
        align = torch.stack([align[..., 0].clamp(0, w - 1), align[..., 1].clamp(0, h - 1),
                             align[..., 2].clamp(0, w - 1), align[..., 3].clamp(0, h - 1)], -1)
        coarse.append(pre)
        logits.append(model.border_cls_score(model.border_cls_subnet(o["clst"][l], align)))
        deltas.append(model.border_bbox_pred(model.border_bbox_subnet(o["boxt"][l], align)))
    labels_all, deltas_all = [], []
    for n, (boxes, labels) in enumerate(gt):
        p = torch.cat([c[n] for c in coarse])
        iou = pairwise_iou(p, boxes)
        max_iou, arg = iou.max(dim=1)
        lab = labels[arg].clone()
        lab[max_iou < 0.6] = NUM_CLASSES
        wh = p[:, 2:4] - p[:, 0:2]
        wh = torch.cat([wh, wh], dim=1)
        labels_all.append(lab)
        deltas_all.append((boxes[arg] - p) / (wh * 0.5))
    flat_labels, flat_t = torch.cat(labels_all), torch.cat(deltas_all)
    flat_logits, flat_deltas = flat(logits, NUM_CLASSES), flat(deltas, 4)
    fg = (flat_labels >= 0) & (flat_labels != NUM_CLASSES)
    num_fg = max(float(fg.sum()), 1.0)
    target = torch.zeros_like(flat_logits)
    target[fg, flat_labels[fg]] = 1
    return {"loss_border_cls": focal_sum(flat_logits, target) / num_fg,
            "loss_border_reg": (flat_deltas[fg] - flat_t[fg]).abs().sum() / num_fg}


def losses(model, images, gt):
    o = model(images)
    shifts = shifts_of(o["cls"])
    out = fcos_losses(o, fcos_targets(shifts, gt))
    if model.kind == "borderdet":
        out.update(border_losses(model, o, shifts, gt))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("detector", choices=["fcos", "borderdet"])
    ap.add_argument("--backbone", default="resnet18")
    ap.add_argument("--fpn-channels", type=int, default=64)
    ap.add_argument("--convs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Detector(a.detector, a.backbone, a.fpn_channels, a.convs).train()
    norm = [p for m in model.modules() if isinstance(m, (nn.BatchNorm2d, nn.GroupNorm, nn.InstanceNorm2d))
            for p in m.parameters(recurse=False)]
    norm_ids = {id(p) for p in norm}
    params = list(model.parameters())
    sgd = torch.optim.SGD([{"params": [p for p in params if id(p) not in norm_ids], "weight_decay": 1e-4},
                           {"params": norm, "weight_decay": 0.0}], lr=0.001, momentum=0.9)
    images, boxes, labels = synthetic_batch(a.batch, a.size)
    gt = list(zip(boxes, labels))
    seen = []

    def step():
        sgd.zero_grad(set_to_none=True)
        ls = losses(model, images, gt)
        total = sum(ls[k] for k in sorted(ls))
        seen.append(total.item())
        total.backward()
        torch.nn.utils.clip_grad_norm_(params, 5.0)
        sgd.step()
        sgd.zero_grad(set_to_none=True)

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.iters):
        t = time.perf_counter()
        step()
        times.append((time.perf_counter() - t) * 1e3)
    ms = statistics.median(times)
    count = sum(p.numel() for p in params)
    op = f"{a.detector}_train_{a.backbone}_fpn{a.fpn_channels}_convs{a.convs}"
    shape = f"{a.batch}x3x{a.size}x{a.size}"
    ips = a.batch * 1000.0 / ms
    if a.json:
        print(json.dumps(dict(framework="torch", op=op, shape=shape, threads=torch.get_num_threads(), ms=ms,
                              ms_min=min(times), ms_max=max(times), images_per_s=ips, params=count,
                              first_loss=seen[0], last_loss=seen[-1])), flush=True)
    else:
        print(f"{op} batch {shape} threads={torch.get_num_threads()}: {ms:.1f} ms/step (median of {a.iters}, "
              f"min {min(times):.1f}, max {max(times):.1f}), {ips:.3f} images/s; {count} parameters; "
              f"loss {seen[0]:.4f} -> {seen[-1]:.4f}")


if __name__ == "__main__":
    main()
