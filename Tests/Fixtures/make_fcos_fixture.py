"""FCOS head + FPN parity fixture (torch 1.13), written from cvpods' FCOS/FPN semantics.

Writes Tests/Fixtures/fcos/fcos_parity.safetensors with
  fpn.*, head.*          weights (cvpods keys: fpn_lateral3, fpn_output3, ..., top_block.p6/p7; head.cls_subnet.0,
                         head.bbox_subnet.*, head.cls_score, head.bbox_pred, head.centerness, head.scales.i.scale)
  in.c3 .. in.c5         backbone feature inputs C3-C5 (N=2, image 128x128)
  out.{cls,box,ctr,clst,boxt}.{l}   head outputs per level (box = relu(scale*x)*stride)
  probe = sum over outputs of (out * w), w.flat[i] = ((7 i + 3 level + kind index) mod 11 - 5) / 5
  grad.in.c3..c5, grad.fpn.*, grad.head.*   d probe / d inputs and parameters
  gt.boxes.{i}, gt.labels.{i}         ground truth of the two images
  tgt.classes, tgt.deltas, tgt.centerness   FCOS targets (centre sampling 1.5, offset-0 shifts)
  loss.cls, loss.box_reg, loss.centerness   losses (focal .25/2 / max(1,fg); GIoU * ctr / max(1, sum ctr);
                                            centerness BCE / max(1, fg))
  lossgrad.in.c3..c5     d (sum of losses) / d inputs
Run: /usr/bin/python3 Tests/Fixtures/make_fcos_fixture.py
"""
import json
import math
import os
import struct

import torch
import torch.nn.functional as F

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fcos")
os.makedirs(OUT, exist_ok=True)

N, CH, NCLS, NCONV, GROUPS = 2, 16, 3, 2, 4
IN_CH = [8, 12, 16]
STRIDES = [8, 16, 32, 64, 128]
IMG = 128

P = {}


def conv_param(name, cin, cout, k):
    P[name + ".weight"] = torch.randn(cout, cin, k, k) / math.sqrt(cin * k * k)
    P[name + ".bias"] = torch.randn(cout) * 0.1


for i, c in enumerate(IN_CH):
    conv_param(f"fpn.fpn_lateral{3 + i}", c, CH, 1)
    conv_param(f"fpn.fpn_output{3 + i}", CH, CH, 3)
conv_param("fpn.top_block.p6", CH, CH, 3)
conv_param("fpn.top_block.p7", CH, CH, 3)
for tower in ("cls_subnet", "bbox_subnet"):
    for j in range(NCONV):
        conv_param(f"head.{tower}.{3 * j}", CH, CH, 3)
        P[f"head.{tower}.{3 * j + 1}.weight"] = 1 + 0.1 * torch.randn(CH)
        P[f"head.{tower}.{3 * j + 1}.bias"] = 0.1 * torch.randn(CH)
conv_param("head.cls_score", CH, NCLS, 3)
P["head.cls_score.bias"] += -math.log(0.99 / 0.01) * 0.2
conv_param("head.bbox_pred", CH, 4, 3)
P["head.bbox_pred.bias"] += 2.0
conv_param("head.centerness", CH, 1, 3)
for l, s in enumerate([1.0, 0.9, 1.1, 0.8, 1.2]):
    P[f"head.scales.{l}.scale"] = torch.tensor([s])
for v in P.values():
    v.requires_grad_(True)


def conv(x, name, stride=1):
    w = P[name + ".weight"]
    return F.conv2d(x, w, P[name + ".bias"], stride=stride, padding=w.shape[-1] // 2)


def fpn(cs):
    lat = [conv(c, f"fpn.fpn_lateral{3 + i}") for i, c in enumerate(cs)]
    prev = lat[-1]
    outs = [conv(prev, "fpn.fpn_output5")]
    for i in (1, 0):
        prev = lat[i] + F.interpolate(prev, scale_factor=2, mode="nearest")
        outs.insert(0, conv(prev, f"fpn.fpn_output{3 + i}"))
    p6 = conv(outs[-1], "fpn.top_block.p6", 2)
    p7 = conv(F.relu(p6), "fpn.top_block.p7", 2)
    return outs + [p6, p7]


def tower(x, name):
    for j in range(NCONV):
        x = conv(x, f"head.{name}.{3 * j}")
        x = F.group_norm(x, GROUPS, P[f"head.{name}.{3 * j + 1}.weight"], P[f"head.{name}.{3 * j + 1}.bias"])
        x = F.relu(x)
    return x


def head(ps):
    out = {k: [] for k in ("cls", "box", "ctr", "clst", "boxt")}
    for l, p in enumerate(ps):
        c, b = tower(p, "cls_subnet"), tower(p, "bbox_subnet")
        out["clst"].append(c)
        out["boxt"].append(b)
        out["cls"].append(conv(c, "head.cls_score"))
        out["ctr"].append(conv(b, "head.centerness"))
        out["box"].append(F.relu(conv(b, "head.bbox_pred") * P[f"head.scales.{l}.scale"]) * STRIDES[l])
    return out


def inputs():
    g = torch.Generator().manual_seed(1)
    return [torch.randn(N, c, IMG // (8 << i), IMG // (8 << i), generator=g).requires_grad_(True)
            for i, c in enumerate(IN_CH)]


KINDS = ["cls", "box", "ctr", "clst", "boxt"]


def probe_weight(shape, kind, level):
    # w.flat[i] = ((7 i + 3 level + kind index) mod 11 - 5) / 5 (closed form, rebuilt by the test)
    n = math.prod(shape)
    i = torch.arange(n, dtype=torch.int64)
    return (((7 * i + 3 * level + KINDS.index(kind)) % 11 - 5).float() / 5).reshape(shape)


S = {}
xs = inputs()
o = head(fpn(xs))
probe = 0
for k, lst in o.items():
    for l, t in enumerate(lst):
        w = probe_weight(t.shape, k, l)
        S[f"out.{k}.{l}"] = t.detach()
        probe = probe + (t * w).sum()
probe.backward()
for i, x in enumerate(xs):
    S[f"in.c{3 + i}"] = x.detach()
    S[f"grad.in.c{3 + i}"] = x.grad
for k, v in P.items():
    S["grad." + k] = v.grad.clone()
    v.grad = None

# ----- targets and losses (cvpods FCOS.get_ground_truth / losses, centre sampling 1.5, offset 0) -----
GT = [
    (torch.tensor([[10., 12., 50., 60.], [20., 30., 120., 125.], [30., 36., 44., 52.]]), torch.tensor([1, 0, 2])),
    (torch.tensor([[0., 0., 127., 127.], [60., 8., 100., 48.], [70., 18., 110., 58.]]), torch.tensor([2, 0, 1])),
]
SIZES = [(-1, 64), (64, 128), (128, 256), (256, 512), (512, float("inf"))]
sizes_hw = [IMG // s for s in STRIDES]
shifts = []
for s, hw in zip(STRIDES, sizes_hw):
    ys, xs_ = torch.meshgrid(torch.arange(hw, dtype=torch.float32) * s, torch.arange(hw, dtype=torch.float32) * s,
                             indexing="ij")
    shifts.append(torch.stack([xs_.reshape(-1), ys.reshape(-1)], 1))
allp = torch.cat(shifts)
lo = torch.cat([torch.full((len(sh),), float(a)) for sh, (a, _) in zip(shifts, SIZES)])
hi = torch.cat([torch.full((len(sh),), float(b)) for sh, (_, b) in zip(shifts, SIZES)])
rad = torch.cat([torch.full((len(sh),), 1.5 * s) for sh, s in zip(shifts, STRIDES)])

def ltrb(p, b):  # p [R,2], b [K,4] -> [K,R,4]
    x, y = p[None, :, 0], p[None, :, 1]
    return torch.stack([x - b[:, None, 0], y - b[:, None, 1], b[:, None, 2] - x, b[:, None, 3] - y], -1)

cls_t, del_t, ctr_t = [], [], []
for boxes, labels in GT:
    d = ltrb(allp, boxes)
    cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
    cb = torch.stack([torch.max(cx[:, None] - rad[None], boxes[:, None, 0]),
                      torch.max(cy[:, None] - rad[None], boxes[:, None, 1]),
                      torch.min(cx[:, None] + rad[None], boxes[:, None, 2]),
                      torch.min(cy[:, None] + rad[None], boxes[:, None, 3])], -1)
    x, y = allp[None, :, 0], allp[None, :, 1]
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
    c[best_area == math.inf] = NCLS
    lr, tb = dd[:, [0, 2]], dd[:, [1, 3]]
    ct = torch.sqrt((lr.min(-1).values / lr.max(-1).values).clamp(min=0) *
                    (tb.min(-1).values / tb.max(-1).values).clamp(min=0))
    bg = c == NCLS
    dd[bg] = 0
    ct[bg] = 0
    cls_t.append(c)
    del_t.append(dd)
    ctr_t.append(ct)
cls_t, del_t, ctr_t = torch.stack(cls_t), torch.stack(del_t), torch.stack(ctr_t)
S["tgt.classes"], S["tgt.deltas"], S["tgt.centerness"] = cls_t, del_t, ctr_t
for i, (b, l) in enumerate(GT):
    S[f"gt.boxes.{i}"], S[f"gt.labels.{i}"] = b, l

xs = inputs()
o = head(fpn(xs))
flat = lambda lst, k: torch.cat([t.permute(0, 2, 3, 1).reshape(N, -1, k) for t in lst], 1).reshape(-1, k)
logits, box, ctr = flat(o["cls"], NCLS), flat(o["box"], 4), flat(o["ctr"], 1).reshape(-1)
gc = cls_t.reshape(-1)
fg = gc != NCLS
num_fg = fg.sum().item()
onehot = torch.zeros_like(logits)
onehot[fg, gc[fg]] = 1
p = logits.sigmoid()
ce = F.binary_cross_entropy_with_logits(logits, onehot, reduction="none")
pt = p * onehot + (1 - p) * (1 - onehot)
loss_cls = ((0.25 * onehot + 0.75 * (1 - onehot)) * ce * (1 - pt) ** 2).sum() / max(1.0, num_fg)
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
hull = (torch.max(a[:, 2], b[:, 2]) - torch.min(a[:, 0], b[:, 0])) * (torch.max(a[:, 3], b[:, 3]) - torch.min(a[:, 1], b[:, 1]))
giou = iou - (hull - union) / hull.clamp(min=eps)
loss_box = ((1 - giou) * ctf).sum() / max(1.0, ctf.sum().item())
loss_ctr = F.binary_cross_entropy_with_logits(ctr[fg], ctf, reduction="sum") / max(1.0, num_fg)
(loss_cls + loss_box + loss_ctr).backward()
S["loss.cls"], S["loss.box_reg"], S["loss.centerness"] = [t.detach().reshape(1) for t in (loss_cls, loss_box, loss_ctr)]
for i, x in enumerate(xs):
    S[f"lossgrad.in.c{3 + i}"] = x.grad
print("num_fg", num_fg, "per image", [(c != NCLS).sum().item() for c in cls_t],
      "losses", loss_cls.item(), loss_box.item(), loss_ctr.item())

for k, v in P.items():
    S[k] = v.detach()

ST = {torch.float32: "F32", torch.int64: "I64"}
header, blobs, off = {}, [], 0
for k in sorted(S):
    t = S[k].contiguous()
    bts = t.numpy().tobytes()
    header[k] = {"dtype": ST[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(bts)]}
    blobs.append(bts)
    off += len(bts)
h = json.dumps(header, separators=(",", ":")).encode()
h += b" " * ((8 - len(h) % 8) % 8)
with open(os.path.join(OUT, "fcos_parity.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(h)))
    f.write(h)
    for bts in blobs:
        f.write(bts)
print("bytes", 8 + len(h) + off)
