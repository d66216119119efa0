"""BorderDet border-branch parity fixture (torch 1.13, float64), written from cvpods' BorderDet semantics
(cvpods/modeling/meta_arch/borderdet.py: BorderBranch, BorderHead.compute_bbox / compute_border,
get_ground_truth border part, losses border part) with BorderAlign as vectorised torch ops
(cvpods/layers/csrc/border_align: P + 1 samples per side, detectron bilinear, max over samples).

Writes Tests/Fixtures/borderdet/border_head.safetensors: weights under their cvpods head keys, inputs, outputs,
targets, losses and the gradients of the total border loss w.r.t. the tower inputs and every weight.
Run: /usr/bin/python3 Tests/Fixtures/make_borderdet_fixture.py
"""
import json
import math
import os
import struct

import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)

N, CIN, H, W, K, STRIDE, POOL = 2, 8, 5, 6, 3, 8, 10
CB_CLS, CB_REG = 4, 2


def border_align(feat, boxes, pool):
    """feat [N, 4C, H, W], boxes [N, L, 4] (feature units, clamped) -> [N, C, L, 4]."""
    n, c4, h, w = feat.shape
    c = c4 // 4
    x1, y1, x2, y2 = boxes.unbind(-1)
    i = torch.arange(pool + 1, dtype=feat.dtype)
    dx = ((x2 - x1) / pool)[..., None] * i
    dy = ((y2 - y1) / pool)[..., None] * i
    e = torch.ones_like(dx)
    pts = [  # (ys, xs) per side, [N, L, P+1]
        (y1[..., None] * e, x1[..., None] + dx),
        (y1[..., None] + dy, x1[..., None] * e),
        (y2[..., None] * e, x2[..., None] - dx),
        (y2[..., None] - dy, x2[..., None] * e),
    ]
    out = []
    for s, (ys, xs) in enumerate(pts):
        plane = feat[:, s * c:(s + 1) * c].reshape(n, c, h * w)

        def corners(v, size):
            lo = v.floor().long()
            at_end = lo >= size - 1
            lo = torch.where(at_end, torch.full_like(lo, size - 1), lo)
            hi = torch.where(at_end, lo, lo + 1)
            v = torch.where(at_end, lo.to(v.dtype), v)
            frac = v - lo.to(v.dtype)
            return lo, hi, frac

        yl, yh, ly = corners(ys, h)
        xl, xh, lx = corners(xs, w)
        hy, hx = 1 - ly, 1 - lx

        def read(yy, xx):
            idx = (yy * w + xx).reshape(n, 1, -1).expand(n, c, -1)
            return plane.gather(2, idx).reshape(n, c, *ys.shape[1:])

        val = (hy * hx)[:, None] * read(yl, xl) + (hy * lx)[:, None] * read(yl, xh) \
            + (ly * hx)[:, None] * read(yh, xl) + (ly * lx)[:, None] * read(yh, xh)
        out.append(val.max(dim=-1).values)  # [N, C, L]
    return torch.stack(out, dim=-1)


class BorderBranch(nn.Module):
    def __init__(self, cin, cb):
        super().__init__()
        self.cur_point_conv = nn.Sequential(nn.Conv2d(cin, cb, 1), nn.InstanceNorm2d(cb), nn.ReLU())
        self.ltrb_conv = nn.Sequential(nn.Conv2d(cin, 4 * cb, 1), nn.InstanceNorm2d(4 * cb), nn.ReLU())
        self.border_conv = nn.Sequential(nn.Conv2d(5 * cb, cin, 1), nn.ReLU())

    def forward(self, feature, boxes):
        n, _, h, w = feature.shape
        short = self.cur_point_conv(feature)
        ltrb = self.ltrb_conv(feature)
        b = border_align(ltrb, boxes, POOL).permute(0, 3, 1, 2).reshape(n, -1, h, w)
        return self.border_conv(torch.cat([b, short], dim=1))


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.border_cls_subnet = BorderBranch(CIN, CB_CLS)
        self.border_bbox_subnet = BorderBranch(CIN, CB_REG)
        self.border_cls_score = nn.Conv2d(CIN, K, 1)
        self.border_bbox_pred = nn.Conv2d(CIN, 4, 1)


head = Head()
with torch.no_grad():
    for p in head.parameters():
        p.copy_(torch.randn_like(p) * 0.4)

cls_tower = torch.randn(N, CIN, H, W, requires_grad=True)
bbox_tower = torch.randn(N, CIN, H, W, requires_grad=True)
ltrb = torch.rand(N, 4, H, W) * 30.0
ltrb[:, :, 0, 0] = 0.0  # a degenerate coarse box
# points: x = i * stride, y = j * stride (offset 0), row-major (y outer)
ys, xs = torch.meshgrid(torch.arange(H) * float(STRIDE), torch.arange(W) * float(STRIDE), indexing="ij")
points = torch.stack([xs.reshape(-1), ys.reshape(-1)], dim=1)

# compute_bbox / compute_border
off = ltrb.permute(0, 2, 3, 1).reshape(N, -1, 4)
pre = torch.stack([points[:, 0] - off[..., 0], points[:, 1] - off[..., 1],
                   points[:, 0] + off[..., 2], points[:, 1] + off[..., 3]], dim=2)
align = pre / STRIDE
align[..., 0].clamp_(0, W - 1)
align[..., 1].clamp_(0, H - 1)
align[..., 2].clamp_(0, W - 1)
align[..., 3].clamp_(0, H - 1)

cls_logits = head.border_cls_score(head.border_cls_subnet(cls_tower, align))
bbox_deltas = head.border_bbox_pred(head.border_bbox_subnet(bbox_tower, align))

# ground truth: boxes near some coarse boxes (so that some IoUs pass 0.6) and one far away
gt_boxes, gt_labels = [], []
for n in range(N):
    picks = [7 + n, 20 - n]
    g = pre[n, picks] + torch.tensor([[1.5, -1.0, 2.0, 0.5], [-2.0, 1.0, -1.0, 2.5]])
    g = torch.cat([g, torch.tensor([[30.0, 2.0, 44.0, 9.0]])])
    gt_boxes.append(g)
    gt_labels.append(torch.tensor([n, 2, 1]))


def pairwise_iou(a, b):
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    wh = (torch.min(a[:, None, 2:], b[:, 2:]) - torch.max(a[:, None, :2], b[:, :2])).clamp(min=0)
    inter = wh.prod(dim=2)
    return torch.where(inter > 0, inter / (area_a[:, None] + area_b - inter), torch.zeros(1))


labels_all, deltas_all = [], []
for n in range(N):
    iou = pairwise_iou(pre[n], gt_boxes[n])
    max_iou, arg = iou.max(dim=1)
    lab = gt_labels[n][arg].clone()
    lab[max_iou < 0.6] = K
    p = pre[n]
    wh = p[:, 2:4] - p[:, 0:2]
    wh = torch.cat([wh, wh], dim=1)
    d = (gt_boxes[n][arg] - p) / (wh * 0.5)
    labels_all.append(lab)
    deltas_all.append(d)
labels = torch.stack(labels_all)
tdeltas = torch.stack(deltas_all)


def focal(x, t, alpha=0.25, gamma=2.0):
    p = torch.sigmoid(x)
    ce = nn.functional.binary_cross_entropy_with_logits(x, t, reduction="none")
    pt = p * t + (1 - p) * (1 - t)
    return (ce * (1 - pt) ** gamma * (alpha * t + (1 - alpha) * (1 - t))).sum()


flat_logits = cls_logits.permute(0, 2, 3, 1).reshape(-1, K)
flat_deltas = bbox_deltas.permute(0, 2, 3, 1).reshape(-1, 4)
flat_labels = labels.flatten()
flat_t = tdeltas.reshape(-1, 4)
fg = (flat_labels >= 0) & (flat_labels != K)
num_fg = max(float(fg.sum()), 1.0)
target = torch.zeros_like(flat_logits)
target[fg, flat_labels[fg]] = 1
loss_cls = focal(flat_logits, target) / num_fg
loss_reg = (flat_deltas[fg] - flat_t[fg]).abs().sum() / num_fg
(loss_cls + loss_reg).backward()
print("num_fg", int(fg.sum()), "loss_border_cls", loss_cls.item(), "loss_border_reg", loss_reg.item())

tensors = {}
for k, v in head.state_dict().items():
    tensors["w." + k] = v
    tensors["grad." + k] = dict(head.named_parameters())[k].grad
tensors.update({
    "in.cls_tower": cls_tower.detach(), "in.bbox_tower": bbox_tower.detach(), "in.ltrb": ltrb,
    "in.points": points, "in.gt_boxes": torch.stack(gt_boxes), "in.gt_labels": torch.stack(gt_labels),
    "out.coarse": pre, "out.align": align, "out.cls_logits": cls_logits.detach(),
    "out.bbox_deltas": bbox_deltas.detach(), "out.labels": labels, "out.target_deltas": tdeltas,
    "out.loss_border_cls": loss_cls.detach().reshape(1), "out.loss_border_reg": loss_reg.detach().reshape(1),
    "grad.cls_tower": cls_tower.grad, "grad.bbox_tower": bbox_tower.grad,
})


def save_safetensors(path, ts):
    header, blobs, off = {}, [], 0
    for name in sorted(ts):
        a = ts[name].detach().contiguous().numpy()
        dt = {np.dtype("float64"): "F64", np.dtype("int64"): "I64"}[a.dtype]
        b = a.tobytes()
        header[name] = {"dtype": dt, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "borderdet", "border_head.safetensors")
save_safetensors(out, tensors)
print("wrote", out, os.path.getsize(out), "bytes")
