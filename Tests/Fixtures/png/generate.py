"""Writes the reference PNGs of this folder with Python's zlib and struct only (independent of the C# writer) and
prints their pixels. Row y of each image uses filter type (y + first) % 5."""
import struct, zlib


def chunk(t, data):
    c = struct.pack('>I', len(data)) + t + data
    return c + struct.pack('>I', zlib.crc32(t + data) & 0xffffffff)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def filt(rows, bpp, first):
    out = b''
    prev = [0] * len(rows[0])
    for y, row in enumerate(rows):
        t = (y + first) % 5
        line = []
        for i, v in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][t]
            line.append((v - pred) % 256)
        out += bytes([t]) + bytes(line)
        prev = row
    return out


def png(path, w, h, ctype, bpp, rows, first=0, extra=b''):
    ihdr = struct.pack('>IIBBBBB', w, h, 8, ctype, 0, 0, 0)
    data = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + extra + chunk(b'tEXt', b'Comment\x00scratch') + \
        chunk(b'IDAT', zlib.compress(filt(rows, bpp, first), 9)) + chunk(b'IEND', b'')
    open(path, 'wb').write(data)
    print(path, [v for r in rows for v in r])


rgb = [[(x * 53 + y * 31 + c * 97) % 256 for x in range(6) for c in range(3)] for y in range(5)]
png('rgb_filters.png', 6, 5, 2, 3, rgb)
grey_alpha = [[(x * 71 + y * 13) % 256 if c == 0 else (255 - x * 40) for x in range(4) for c in range(2)] for y in range(5)]
png('grey_alpha_filters.png', 4, 5, 4, 2, grey_alpha, first=2)
pal = [[(x + y) % 3 for x in range(3)] for y in range(2)]
png('palette.png', 3, 2, 3, 1, pal, first=4,
    extra=chunk(b'PLTE', bytes([255, 0, 0, 0, 255, 0, 10, 20, 30])) + chunk(b'tRNS', bytes([128, 255])))
