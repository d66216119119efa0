"""Generates the COCO evaluation reference cases in this folder.

Each case is <name>_gt.json / <name>_dt.json; expected.json holds, per case, the iouType and the 12 stats printed
by pycocotools' COCOeval (built from github.com/cocodataset/cocoapi, PythonAPI). Run with PYTHONPATH pointing at a
built pycocotools:  python3 generate.py
"""
import json, os, random, contextlib, io
import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
from pycocotools import mask as maskUtils

HERE = os.path.dirname(os.path.abspath(__file__))


def rbox(rng, W, H, smin=2, smax=150):
    w = round(rng.uniform(smin, min(smax, W - 1)), 2)
    h = round(rng.uniform(smin, min(smax, H - 1)), 2)
    x = round(rng.uniform(0, W - w), 2)
    y = round(rng.uniform(0, H - h), 2)
    return [x, y, w, h]


def jitter(rng, b, s):
    x, y, w, h = b
    return [round(x + rng.gauss(0, s * w), 2), round(y + rng.gauss(0, s * h), 2),
            round(max(0.5, w * (1 + rng.gauss(0, s))), 2), round(max(0.5, h * (1 + rng.gauss(0, s))), 2)]


def make_case(seed, n_img, cat_ids, gts_per_img, dets_extra, crowd_p=0.0, empty_imgs=(), nodet_imgs=(),
              many_dets_img=None, tie_scores=False, W=320, H=240, area_mode='box'):
    rng = random.Random(seed)
    images, anns, dts = [], [], []
    aid = 1
    img_ids = [3 * i + 7 for i in range(n_img)]  # non-contiguous, unsorted below
    rng.shuffle(img_ids)
    for im in img_ids:
        images.append({'id': im, 'file_name': f'{im:06d}.jpg', 'width': W, 'height': H})
        if im in [img_ids[i] for i in empty_imgs]:
            ng = 0
        else:
            ng = rng.randint(*gts_per_img)
        for _ in range(ng):
            b = rbox(rng, W, H)
            crowd = 1 if rng.random() < crowd_p else 0
            if area_mode == 'box':
                area = round(b[2] * b[3], 4)
            else:
                area = round(b[2] * b[3] * rng.uniform(0.5, 1.0), 4)
            c = rng.choice(cat_ids)
            anns.append({'id': aid, 'image_id': im, 'category_id': c, 'bbox': b, 'area': area, 'iscrowd': crowd})
            aid += 1
            if im in [img_ids[i] for i in nodet_imgs]:
                continue
            # detections near this gt (some with wrong class)
            for _ in range(rng.randint(0, 3)):
                cc = c if rng.random() < 0.85 else rng.choice(cat_ids)
                s = round(rng.random(), 1 if tie_scores else 4)
                dts.append({'image_id': im, 'category_id': cc, 'bbox': jitter(rng, b, rng.choice([0.02, 0.08, 0.2])), 'score': s})
        if im in [img_ids[i] for i in nodet_imgs]:
            continue
        big = many_dets_img is not None and im == img_ids[many_dets_img]
        for _ in range(300 if big else rng.randint(0, dets_extra)):
            s = round(rng.random(), 1 if tie_scores else 4)
            dts.append({'image_id': im, 'category_id': rng.choice(cat_ids), 'bbox': rbox(rng, W, H), 'score': s})
    cats = [{'id': c, 'name': f'c{c}', 'supercategory': 'x'} for c in sorted(cat_ids, reverse=True)]
    return {'images': images, 'annotations': anns, 'categories': cats}, dts


def poly_of(b, rng):
    x, y, w, h = b
    cx, cy = x + w / 2, y + h / 2
    pts = []
    for k in range(rng.randint(3, 8)):
        ang = 2 * np.pi * k / 8 + rng.uniform(0, 0.5)
        pts += [round(cx + w / 2 * np.cos(ang), 2), round(cy + h / 2 * np.sin(ang), 2)]
    return pts


def make_segm_case(seed):
    rng = random.Random(seed)
    W, H = 200, 160
    images, anns, dts = [], [], []
    aid = 1
    for im in [1, 2, 3, 4, 5, 6]:
        images.append({'id': im, 'file_name': f'{im}.png', 'width': W, 'height': H})
        for _ in range(rng.randint(1, 6)):
            b = rbox(rng, W, H, 3, 130)
            c = rng.choice([2, 4])
            kind = rng.choice(['poly', 'poly2', 'rle', 'crle'])
            crowd = 0
            if kind in ('poly', 'poly2'):
                seg = [poly_of(b, rng)]
                if kind == 'poly2':
                    seg.append(poly_of(rbox(rng, W, H, 3, 15), rng))
                rle = maskUtils.merge(maskUtils.frPyObjects(seg, H, W))
            else:
                m = np.zeros((H, W), dtype=np.uint8, order='F')
                x, y, w, h = [int(v) for v in b]
                m[y:y + h, x:x + w] = 1
                m[y:y + h // 2, x:x + w // 3] = 0
                rle = maskUtils.encode(m)
                if kind == 'rle':
                    crowd = 1 if rng.random() < 0.5 else 0
                    # uncompressed counts list
                    flat = m.flatten(order='F')
                    counts, prev, run = [], 0, 0
                    for v in flat:
                        if v != prev:
                            counts.append(run); run = 0; prev = v
                        run += 1
                    counts.append(run)
                    seg = {'size': [H, W], 'counts': counts}
                else:
                    seg = {'size': [H, W], 'counts': rle['counts'].decode('ascii')}
            area = float(maskUtils.area(rle))
            bb = [float(v) for v in maskUtils.toBbox(rle)]
            anns.append({'id': aid, 'image_id': im, 'category_id': c, 'bbox': bb, 'area': area, 'iscrowd': crowd, 'segmentation': seg})
            aid += 1
            full = maskUtils.decode(rle)
            for _ in range(rng.randint(0, 4)):
                dm = np.roll(np.roll(full, rng.randint(-6, 6), 0), rng.randint(-6, 6), 1)
                if rng.random() < 0.3:
                    dm = dm.copy(); dm[:, : W // 2] = 0
                r = maskUtils.encode(np.asfortranarray(dm.astype(np.uint8)))
                d = {'image_id': im, 'category_id': c if rng.random() < 0.9 else 2 + 4 - c,
                     'segmentation': {'size': [H, W], 'counts': r['counts'].decode('ascii')}, 'score': round(rng.random(), 3)}
                dts.append(d)
    return {'images': images, 'annotations': anns, 'categories': [{'id': 2, 'name': 'a'}, {'id': 4, 'name': 'b'}]}, dts


def evaluate(gt, dt, iou_type, name):
    gp, dp = os.path.join(HERE, name + '_gt.json'), os.path.join(HERE, name + '_dt.json')
    with open(gp, 'w') as f:
        json.dump(gt, f)
    with open(dp, 'w') as f:
        json.dump(dt, f)
    with contextlib.redirect_stdout(io.StringIO()):
        cg = COCO(gp)
        cd = cg.loadRes(dp)
        E = COCOeval(cg, cd, iou_type)
        E.evaluate(); E.accumulate(); E.summarize()
    return [float(s) for s in E.stats]


cases = {}
g, d = make_case(1, 6, [1, 5, 90], (1, 6), 4)
cases['basic'] = ('bbox', g, d)
g, d = make_case(2, 8, [3, 7], (2, 8), 6, crowd_p=0.25, area_mode='seg')
cases['crowd'] = ('bbox', g, d)
g, d = make_case(3, 8, [1, 2, 3, 4], (0, 4), 3, empty_imgs=(0, 3), nodet_imgs=(1, 5), tie_scores=True)
cases['empty_and_ties'] = ('bbox', g, d)
g, d = make_case(4, 30, list(range(10, 50, 2)), (1, 10), 5, crowd_p=0.05)
cases['many_classes'] = ('bbox', g, d)
g, d = make_case(5, 3, [1, 2], (30, 60), 10, many_dets_img=0, crowd_p=0.05)
cases['many_dets'] = ('bbox', g, d)
g, d = make_case(6, 10, [1], (1, 5), 3, W=200, H=200)
# boxes whose area is exactly on the area-range boundaries
g['annotations'][0]['bbox'] = [10, 10, 32, 32]; g['annotations'][0]['area'] = 1024
g['annotations'][1]['bbox'] = [20, 20, 96, 96]; g['annotations'][1]['area'] = 9216
d.append({'image_id': g['annotations'][0]['image_id'], 'category_id': 1, 'bbox': [10, 10, 32, 32], 'score': 0.5})
d.append({'image_id': g['annotations'][1]['image_id'], 'category_id': 1, 'bbox': [20, 20, 96, 96], 'score': 0.5})
# a zero-width ground-truth box (kept by pycocotools; it can never be matched)
g['annotations'][2]['bbox'][2] = 0; g['annotations'][2]['area'] = 0.0
cases['area_bounds'] = ('bbox', g, d)
g, d = make_segm_case(7)
cases['segm'] = ('segm', g, d)
# segm evaluation of box-only detections: pycocotools rasterises each box as a polygon and takes area = w*h
g, _ = make_segm_case(8)
rng = random.Random(9)
d = [{'image_id': a['image_id'], 'category_id': a['category_id'], 'bbox': jitter(rng, a['bbox'], 0.05),
      'score': round(rng.random(), 3)} for a in g['annotations'] for _ in range(rng.randint(0, 2))]
cases['segm_from_boxes'] = ('segm', g, d)
# ground-truth annotation ids starting at 0: pycocotools records a match to gt id 0 as "no match"
g, d = make_case(10, 4, [1, 2], (1, 4), 2)
for a in g['annotations']:
    a['id'] -= 1
cases['gt_id_zero'] = ('bbox', g, d)

expected = {}
for name, (t, g, d) in cases.items():
    expected[name] = {'iouType': t, 'stats': evaluate(g, d, t, name)}
    print(name, t, len(g['annotations']), len(d), ['%.4f' % s for s in expected[name]['stats']])
with open(os.path.join(HERE, 'expected.json'), 'w') as f:
    json.dump(expected, f, indent=1)
