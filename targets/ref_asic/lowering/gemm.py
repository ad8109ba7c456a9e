"""Matmuls and convolutions on the systolic array, as one implicit GEMM.

A convolution is a GEMM whose activation rows are output pixels (n, oh, ow) and whose reduction
runs over the filter taps (kh, kw) and input channels; a matmul is the 1x1 convolution of an
M x 1 image with K channels. Output rows are processed in blocks of whole output lines (one n and
a range of oh); a batched matmul is one such GEMM per batch. For each block the output channels go in groups of ``jn`` tiles of N (as many as
the accumulator holds). For each tap and channel tile, the activation tile (block rows x N) is
gathered once into one of two scratchpad buffers -- strided rows of the image, with zero rows
where the tap falls into the padding (``DMA_LAYOUT``) and one 2-D block per output line
(``DMA_DIMS``) -- and reused by the group's weight tiles, which stream through two weight
buffers, so DMA of the next tiles overlaps the array's work. Partial tiles (channels or filters
not a multiple of N) are zero-filled by the DMA's scratchpad pitch and padding; a transposed
B is transposed by the DMA on its way to the scratchpad. When a group's
reduction is done, its accumulator tiles are stored.

The schedule only places data; every semaphore comes from the buffer-region dependency analysis
(``sync.insert_semaphores``). DRAM addresses are offsets into the kernel's buffers;
``relocations`` lists which instruction reads which buffer slot, and the driver adds the buffers'
addresses at dispatch.
"""

from __future__ import annotations

from byteir_sdk.compiler.loop.kernel_ir import Contraction, ConvGeometry
from byteir_sim.config import MachineConfig
from byteir_sim.functional import NUMPY_DTYPE
from byteir_sim.isa import DTYPES, ENGINES, Instruction, make
from byteir_targets.ref_asic.lowering.sync import ProgramBuilder

__all__ = ["lower_conv", "lower_contraction"]

ACC_ITEM = 4  # accumulator element bytes (f32 or i32, whatever the operands)
_MAX_ROWS = 4095  # the DMA's and MM_COMPUTE's 12-bit row counts


def _matmul_geometry(c: Contraction) -> ConvGeometry:
    """One batch of C[M, N] = A[M, K] @ B[K, N] as the 1x1 convolution of an M x 1 image of K channels."""
    return ConvGeometry((1, c.m, 1, c.k), (1, 1, c.k, c.n), (1, c.m, 1, c.n), (1, 1), (1, 1), (0, 0), "a", "b")


def _valid(out: int, size: int, stride: int, offset: int) -> tuple[int, int]:
    """The output positions [lo, hi) whose input ``o * stride + offset`` lies in [0, size)."""
    lo = max(0, -(offset // stride)) if offset < 0 else 0
    hi = min(out, (size - 1 - offset) // stride + 1) if size - 1 - offset >= 0 else 0
    return lo, max(lo, hi)


def _blocking(geo: ConvGeometry, config: MachineConfig, item: int) -> tuple[int, int] | None:
    """(output lines per block, filter tiles per group) fitting the scratchpad and accumulator."""
    t = config.array_size
    ow = geo.output[2]
    weights = 2 * t * t * item
    by_sram = (config.sram_bytes - weights) // (2 * t * item)
    rows = min(512, _MAX_ROWS, by_sram, config.acc_bytes // (t * ACC_ITEM))
    if ow > rows:
        return None
    lines = max(1, min(geo.output[1], rows // ow))
    tiles = -(-geo.output[3] // t)
    return lines, max(1, min(tiles, config.acc_bytes // (lines * ow * t * ACC_ITEM)))


Ref = tuple[int, int]  # (buffer slot, byte offset)


def lower_conv(geo: ConvGeometry, image: Ref, filt: Ref, out: Ref, config: MachineConfig, dtype: str = "f32",
               loc: str = "") -> tuple[list[Instruction], list[int]] | None:  # fmt: skip
    """The program for ``out = conv(image, filt)`` and its relocations [instruction, slot, ...], or
    None when the geometry does not fit (an output line longer than a block, or a block of output
    lines that only sees padding).

    `image`, `filt`, `out` are the row-major NHWC / HWIO / NHWC operands; `dtype` is the element
    type of image and filter (the output is the accumulator's f32 or i32).
    """
    builder = ProgramBuilder(loc)
    return builder.finish(config) if _emit_gemm(builder, geo, image, filt, out, config, dtype) else None


def lower_contraction(c: Contraction, a: Ref, b: Ref, out: Ref, config: MachineConfig, dtype: str = "f32",
                      loc: str = "") -> tuple[list[Instruction], list[int]]:  # fmt: skip
    """The program for a (batched) matmul on row-major operands and its relocations."""
    builder = ProgramBuilder(loc)
    geo, item = _matmul_geometry(c), NUMPY_DTYPE[dtype].itemsize
    a_step, b_step, out_step = c.m * c.k * item, c.k * c.n * item, c.m * c.n * ACC_ITEM  # bytes per batch
    for i in range(c.batch):
        _emit_gemm(builder, geo, (a[0], a[1] + i * a_step), (b[0], b[1] + i * b_step), (out[0], out[1] + i * out_step), config, dtype, c.b_transposed)
    return builder.finish(config)


def _emit_gemm(builder: ProgramBuilder, geo: ConvGeometry, image: Ref, filt: Ref, out: Ref, config: MachineConfig, dtype: str,
               filter_transposed: bool = False) -> bool:  # fmt: skip
    """Append the implicit GEMM to `builder`; False when it does not fit. A transposed filter is
    stored F x C (1x1 only). The first compute of a block overwrites all its rows, zero rows
    included, so pixels that some taps miss still start from zero."""
    t = config.array_size
    item = NUMPY_DTYPE[dtype].itemsize
    blocking = _blocking(geo, config, item)
    if blocking is None:
        return False
    lines_blk, jn = blocking
    (batch, height, width, chans), (kh_n, kw_n, _, filters), (_, out_h, out_w, _) = geo.image, geo.filter, geo.output
    (sh, sw), (dh, dw), (ph, pw) = geo.stride, geo.dilation, geo.pad
    taps = [(kh, kw, _valid(out_h, height, sh, kh * dh - ph), _valid(out_w, width, sw, kw * dw - pw)) for kh in range(kh_n) for kw in range(kw_n)]
    taps = [tap for tap in taps if tap[3][0] < tap[3][1]]
    rows_blk = lines_blk * out_w
    w_buf = [0, t * t * item]
    a_base = 2 * t * t * item
    a_buf = [a_base, a_base + rows_blk * t * item]
    emit = builder.emit
    dma_in, dma_out = ENGINES.index("dma_in"), ENGINES.index("dma_out")
    mm_dtype = DTYPES[dtype]

    def load_window(buf: int, n: int, oh0: int, lines: int, kh: int, kw: int, oh_valid: tuple[int, int], ow_valid: tuple[int, int], c0: int) -> None:
        """Gather the activation tile of tap (kh, kw), channels [c0, c0 + N), for output lines [oh0, oh0 + lines)."""
        cw = min(t, chans - c0)
        lo, hi = max(oh0, oh_valid[0]), min(oh0 + lines, oh_valid[1])
        top, bottom = (lo - oh0) * out_w, (oh0 + lines - hi) * out_w
        left, right = ow_valid[0], out_w - ow_valid[1]
        row = sw * chans * item  # DRAM bytes between the pixels of one output line
        line = sh * width * chans * item  # ... and between output lines

        def addr(oh: int) -> int:
            ih, iw = oh * sh + kh * dh - ph, ow_valid[0] * sw + kw * dw - pw
            return image[1] + (((n * height + ih) * width + iw) * chans + c0) * item

        count = ow_valid[1] - ow_valid[0]
        if not (top or bottom or left or right) and line == out_w * row and (hi - lo) * out_w <= _MAX_ROWS:
            if cw < t:
                emit(make("DMA_LAYOUT", engine=dma_in, sram_pitch=t * item))
            emit(make("DMA_LOAD", dram_addr=addr(lo), sram_addr=buf, rows=(hi - lo) * out_w, row_bytes=cw * item, dram_stride=row), image[0])
            return
        # one block per output line; the first and last carry the zero rows of lines outside the image
        segments = [(lo, 1, top + left, right + (bottom if hi - lo == 1 else 0))]
        if hi - lo > 2:
            segments.append((lo + 1, hi - lo - 2, left, right))
        if hi - lo > 1:
            segments.append((hi - 1, 1, left, right + bottom))
        for oh, count2, before, after in segments:
            if count2 > 1:
                emit(make("DMA_DIMS", engine=dma_in, count2=count2, dram_stride2=line))
            emit(make("DMA_LAYOUT", engine=dma_in, pad_before=before, pad_after=after, sram_pitch=t * item))
            offset = 0 if oh == lo else (top + (oh - lo) * out_w) * t * item
            emit(make("DMA_LOAD", dram_addr=addr(oh), sram_addr=buf + offset, rows=count, row_bytes=cw * item, dram_stride=row), image[0])

    a_step = w_step = 0
    for n in range(batch):
        for oh0 in range(0, out_h, lines_blk):
            lines = min(lines_blk, out_h - oh0)
            rows = lines * out_w
            block_taps = [tap for tap in taps if max(oh0, tap[2][0]) < min(oh0 + lines, tap[2][1])]
            if not block_taps:
                return False  # the block sees only padding: no compute would write its (zero) outputs
            for j0 in range(0, filters, jn * t):
                tiles = list(range(j0, min(filters, j0 + jn * t), t))
                first = True
                for kh, kw, oh_valid, ow_valid in block_taps:
                    for c0 in range(0, chans, t):
                        cw = min(t, chans - c0)
                        ab = a_buf[a_step % 2]
                        load_window(ab, n, oh0, lines, kh, kw, oh_valid, ow_valid, c0)
                        for i, f0 in enumerate(tiles):
                            fw = min(t, filters - f0)
                            wb = w_buf[w_step % 2]
                            if filter_transposed:  # F x C rows, transposed into C x F on the way in
                                emit(make("DMA_LAYOUT", engine=dma_in, pad_after=t - fw, sram_pitch=t * item, transpose=1, elem_log2=item.bit_length() - 1))
                                emit(make("DMA_LOAD", dram_addr=filt[1] + (f0 * chans + c0) * item, sram_addr=wb, rows=fw, row_bytes=cw * item,
                                          dram_stride=chans * item), filt[0])  # fmt: skip
                            else:
                                if cw < t or fw < t:
                                    emit(make("DMA_LAYOUT", engine=dma_in, pad_after=t - cw, sram_pitch=t * item))
                                emit(make("DMA_LOAD", dram_addr=filt[1] + (((kh * kw_n + kw) * chans + c0) * filters + f0) * item, sram_addr=wb,
                                          rows=cw, row_bytes=fw * item, dram_stride=filters * item), filt[0])  # fmt: skip
                            emit(make("MM_PRELOAD", sram_addr=wb, dtype=mm_dtype))
                            emit(make("MM_COMPUTE", sram_addr=ab, acc_addr=i * rows_blk * t * ACC_ITEM, rows=rows, accumulate=int(not first), dtype=mm_dtype))
                            w_step += 1
                        a_step += 1
                        first = False
                for i, f0 in enumerate(tiles):
                    fw = min(t, filters - f0)
                    if fw < t:
                        emit(make("DMA_LAYOUT", engine=dma_out, sram_pitch=t * ACC_ITEM))
                    emit(make("DMA_STORE", dram_addr=out[1] + (((n * out_h + oh0) * out_w) * filters + f0) * ACC_ITEM, sram_addr=i * rows_blk * t * ACC_ITEM,
                              rows=rows, row_bytes=fw * ACC_ITEM, dram_stride=filters * ACC_ITEM, from_acc=1), out[0])  # fmt: skip
    return True
