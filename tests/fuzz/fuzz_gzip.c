/*
 * Fuzz the gzip layer of the reader (src/lib/gzip_input.c): whatever the
 * compressed bytes, reading must not crash, and a read that succeeds must
 * give exactly the rows of the uncompressed data.
 *
 * Input layout:
 *   byte 0    what to build from the rest (the data D):
 *             0  D itself is the file (raw bytes: damaged gzip, plain CSV)
 *             1  gzip(D) cut at a point taken from bytes 1-2: the read must fail
 *                unless the cut keeps the whole member
 *             2  gzip(D[0,k)) then gzip(D[k,n)), k from bytes 1-2: as D
 *             3  gzip(D) followed by bytes 1-2 (the first turned off 0x1f): must fail
 *             4  gzip(D) with one byte flipped at a point from bytes 1-2:
 *                fails, or reads as D (a flip in an unchecked header field)
 *             bits 3-4: segment_bytes 64 << ..., bits 5-6: threads 1 + ...
 *   bytes 1-2 a position or two extra bytes, as above
 *   the rest  D
 * Cases 1-4 compare with reading D from memory; abort() when the promise breaks.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "vagap/vagap.h"

typedef struct {
  unsigned char *s;
  size_t len, cap;
} buf_t;

static void put(buf_t *b, const void *s, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n) cap *= 2;
    unsigned char *p = realloc(b->s, cap);
    if (!p) abort();
    b->s = p;
    b->cap = cap;
  }
  if (n) memcpy(b->s + b->len, s, n);
  b->len += n;
}

static void put_size(buf_t *b, size_t v) { put(b, &v, sizeof v); }

static void put_gzip(buf_t *b, const uint8_t *data, size_t size) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
  size_t bound = deflateBound(&z, (uLong)size) + 64;
  unsigned char *out = malloc(bound);
  if (!out) abort();
  z.next_in = (unsigned char *)data;
  z.avail_in = (uInt)size;
  z.next_out = out;
  z.avail_out = (uInt)bound;
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) abort();
  put(b, out, bound - z.avail_out);
  deflateEnd(&z);
  free(out);
}

/* Rows, their lines and fields, and the final status of a streaming read; `source` in messages. */
static vagap_status_t read_rows(vagap_reader_t *r, vagap_status_t st, buf_t *o,
                                vagap_error_t *err) {
  if (st == VAGAP_OK) {
    put_size(o, vagap_reader_ncols(r));
    vagap_row_t row;
    int has = 0;
    while ((st = vagap_reader_next(r, &row, &has, err)) == VAGAP_OK && has) {
      put_size(o, (size_t)row.line);
      for (size_t j = 0; j < row.nfields; j++) {
        put_size(o, row.lengths[j]);
        put(o, row.fields[j], row.lengths[j]);
      }
    }
  }
  vagap_reader_close(r);
  put_size(o, (size_t)st);
  return st;
}

static vagap_status_t read_file(const buf_t *file, const vagap_table_options_t *opt, buf_t *o) {
  int fd = memfd_create("fuzz_gzip", 0);
  if (fd < 0) abort();
  if (file->len && write(fd, file->s, file->len) != (ssize_t)file->len) abort();
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  vagap_reader_t *r = NULL;
  vagap_error_t err;
  vagap_status_t st = vagap_reader_open(&r, path, opt, NULL, &err);
  st = read_rows(r, st, o, &err);
  if (st != VAGAP_OK && !err.message[0]) abort(); /* every failure says why */
  close(fd);
  return st;
}

static vagap_status_t read_memory(const uint8_t *data, size_t size,
                                  const vagap_table_options_t *opt, buf_t *o) {
  vagap_reader_t *r = NULL;
  vagap_error_t err;
  vagap_status_t st = vagap_reader_open_memory(&r, "fuzz", data, size, opt, NULL, &err);
  return read_rows(r, st, o, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n) {
  if (n < 3) return 0;
  unsigned mode = in[0] & 7;
  size_t pos = (size_t)in[1] << 8 | in[2];
  const uint8_t *data = in + 3;
  size_t size = n - 3;
  vagap_table_options_t opt;
  vagap_table_options_init(&opt);
  opt.segment_bytes = (size_t)64 << ((in[0] >> 3) & 3);
  opt.threads = 1 + ((in[0] >> 5) & 3);
  buf_t file = {0}, got = {0}, want = {0};
  int must_fail = 0, may_fail = 0;
  switch (mode) {
  case 1:
    put_gzip(&file, data, size);
    if (pos < file.len) {
      file.len = pos;
      must_fail = 1;
    }
    break;
  case 2: {
    size_t k = size ? pos % (size + 1) : 0;
    put_gzip(&file, data, k);
    put_gzip(&file, data + k, size - k);
    break;
  }
  case 3: {
    put_gzip(&file, data, size);
    unsigned char extra[2] = {in[1] == 0x1f ? 0 : in[1], in[2]};
    put(&file, extra, 1 + (in[2] & 1));
    must_fail = 1;
    break;
  }
  case 4:
    put_gzip(&file, data, size);
    file.s[pos % file.len] ^= (unsigned char)(1u << (in[2] & 7));
    may_fail = 1;
    break;
  default:
    put(&file, data, size);
    read_file(&file, &opt, &got);
    free(file.s);
    free(got.s);
    return 0;
  }
  vagap_status_t st = read_file(&file, &opt, &got);
  if (must_fail && st == VAGAP_OK) abort();
  if (!must_fail && !(may_fail && st != VAGAP_OK)) {
    vagap_status_t mst = read_memory(data, size, &opt, &want);
    (void)mst;
    if (got.len != want.len || memcmp(got.s, want.s, got.len) != 0) abort();
  }
  free(file.s);
  free(got.s);
  free(want.s);
  return 0;
}
