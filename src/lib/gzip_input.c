/*
 * Reading a possibly gzip-compressed input with inflate() (see gzip_input.h
 * for why not gzread()).
 */
#include "gzip_input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define IN_BYTES ((size_t)1 << 18) /* compressed bytes read at a time */

typedef enum { MODE_UNKNOWN, MODE_PLAIN, MODE_GZIP, MODE_DONE } mode_t_;

struct gzip_input {
  int fd;
  char *source;
  mode_t_ mode;
  unsigned char *buf;       /* bytes read from fd and not yet used */
  size_t pos, len;
  int fd_eof;
  unsigned long long offset; /* bytes of the file before buf[len] */
  z_stream z;
  int z_ready;
  int failed;               /* reading stopped at `error` */
  vagap_error_t error;
};

gzip_input_t *gzip_input_open(const char *path, const char *source, vagap_error_t *err) {
  gzip_input_t *in = calloc(1, sizeof *in);
  if (!in || !(in->buf = malloc(IN_BYTES)) || !(in->source = strdup(source))) {
    if (in) free(in->buf);
    free(in);
    vagap_error_set(err, VAGAP_ENOMEM, source, 0, 0, "out of memory");
    return NULL;
  }
  in->fd = path ? open(path, O_RDONLY | O_CLOEXEC) : fcntl(0, F_DUPFD_CLOEXEC, 3);
  if (in->fd < 0) {
    vagap_error_set(err, VAGAP_EIO, source, 0, 0, "cannot open: %s", strerror(errno));
    gzip_input_close(in);
    return NULL;
  }
  return in;
}

void gzip_input_close(gzip_input_t *in) {
  if (!in) return;
  if (in->fd >= 0) close(in->fd);
  if (in->z_ready) inflateEnd(&in->z);
  free(in->buf);
  free(in->source);
  free(in);
}

/* Stop reading with an error; every later read reports it again. */
static int fail(gzip_input_t *in, vagap_status_t status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(gzip_input_t *in, vagap_status_t status, const char *fmt, ...) {
  char message[VAGAP_ERROR_MESSAGE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  in->mode = MODE_DONE;
  in->failed = 1;
  vagap_error_set(&in->error, status, in->source, 0, 0, "%s", message);
  return -1;
}

/* Read up to `size` bytes of the file into dst (buf, or a large request's own memory): what
   read() gave, 0 at the end of the file, -1 on an error. */
static ssize_t read_direct(gzip_input_t *in, unsigned char *dst, size_t size) {
  for (;;) {
    ssize_t n = read(in->fd, dst, size);
    if (n > 0) {
      in->offset += (unsigned long long)n;
      return n;
    }
    if (n == 0) {
      in->fd_eof = 1;
      return 0;
    }
    if (errno != EINTR)
      return fail(in, VAGAP_EIO, "read error: %s (at byte %llu)", strerror(errno), in->offset);
  }
}

/* Move the unused bytes to the front and read more after them; 0 at the end of the file. */
static int refill(gzip_input_t *in) {
  if (in->pos > 0) {
    memmove(in->buf, in->buf + in->pos, in->len - in->pos);
    in->len -= in->pos;
    in->pos = 0;
  }
  ssize_t n = read_direct(in, in->buf + in->len, IN_BYTES - in->len);
  if (n <= 0) return (int)n;
  in->len += (size_t)n;
  return 1;
}

/* Make at least `want` unused bytes available unless the file ends first. */
static int have_bytes(gzip_input_t *in, size_t want) {
  while (in->len - in->pos < want && !in->fd_eof)
    if (refill(in) < 0) return -1;
  return 0;
}

/* Offset in the file of buf[pos]. */
static unsigned long long file_position(const gzip_input_t *in) {
  return in->offset - (in->len - in->pos);
}

static int starts_member(const gzip_input_t *in) {
  return in->len - in->pos >= 2 && in->buf[in->pos] == 0x1f && in->buf[in->pos + 1] == 0x8b;
}

static int choose_mode(gzip_input_t *in) {
  if (have_bytes(in, 2) < 0) return -1;
  if (in->len - in->pos == 1 && in->buf[in->pos] == 0x1f)
    /* the first byte of a gzip header and nothing after it: a gzip file cut
       after one byte (no table is one unit-separator character) */
    return fail(in, VAGAP_EIO,
                "truncated gzip data: the file ends (at byte 1) inside a gzip member");
  if (!starts_member(in)) {
    in->mode = MODE_PLAIN;
    return 0;
  }
  memset(&in->z, 0, sizeof in->z);
  if (inflateInit2(&in->z, 15 + 16) != Z_OK)
    return fail(in, VAGAP_ENOMEM, "out of memory");
  in->z_ready = 1;
  in->mode = MODE_GZIP;
  return 0;
}

static size_t read_plain(gzip_input_t *in, unsigned char *dst, size_t size) {
  size_t got = 0;
  while (got < size) {
    if (in->pos == in->len) {
      in->pos = in->len = 0;
      if (in->fd_eof) break;
      if (size - got >= IN_BYTES) { /* a large request: the kernel copies once, into dst */
        ssize_t n = read_direct(in, dst + got, size - got);
        if (n <= 0) break;
        got += (size_t)n;
        continue;
      }
      if (refill(in) <= 0) break;
    }
    size_t n = in->len - in->pos;
    if (n > size - got) n = size - got;
    memcpy(dst + got, in->buf + in->pos, n);
    in->pos += n;
    got += n;
  }
  return got;
}

/* After a member's trailer: another member, the end of the file, or an error. */
static int after_member(gzip_input_t *in) {
  if (have_bytes(in, 2) < 0) return -1;
  if (in->pos == in->len) {
    in->mode = MODE_DONE;
    return 0;
  }
  if (!starts_member(in))
    return fail(in, VAGAP_EIO,
                "trailing data after the end of the gzip data (at byte %llu of the file)",
                file_position(in));
  if (inflateReset(&in->z) != Z_OK)
    return fail(in, VAGAP_ENOMEM, "out of memory");
  return 0;
}

static size_t read_gzip(gzip_input_t *in, unsigned char *dst, size_t size) {
  size_t got = 0;
  while (got < size && in->mode == MODE_GZIP) {
    if (in->pos == in->len && !in->fd_eof && refill(in) < 0) break;
    if (in->pos == in->len && in->fd_eof) {
      fail(in, VAGAP_EIO,
           "truncated gzip data: the file ends (at byte %llu) inside a gzip member", in->offset);
      break;
    }
    in->z.next_in = in->buf + in->pos;
    in->z.avail_in = (uInt)(in->len - in->pos);
    in->z.next_out = dst + got;
    in->z.avail_out = (uInt)(size - got > 1u << 30 ? 1u << 30 : size - got);
    uInt out_before = in->z.avail_out;
    int zr = inflate(&in->z, Z_NO_FLUSH);
    got += out_before - in->z.avail_out;
    in->pos = in->len - in->z.avail_in;
    if (zr == Z_STREAM_END) {
      if (after_member(in) < 0) break;
    } else if (zr == Z_DATA_ERROR) {
      fail(in, VAGAP_EIO, "corrupt gzip data: %s (near byte %llu of the file)",
           in->z.msg ? in->z.msg : "invalid data", file_position(in));
    } else if (zr == Z_MEM_ERROR) {
      fail(in, VAGAP_ENOMEM, "out of memory");
    } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
      fail(in, VAGAP_EIO, "corrupt gzip data: %s (near byte %llu of the file)",
           in->z.msg ? in->z.msg : "inflate failed", file_position(in));
    }
  }
  return got;
}

size_t gzip_input_read(gzip_input_t *in, unsigned char *dst, size_t size, int *failed,
                       vagap_error_t *err) {
  size_t got = 0;
  if (in->mode == MODE_UNKNOWN) choose_mode(in);
  if (in->mode == MODE_PLAIN) got = read_plain(in, dst, size);
  else if (in->mode == MODE_GZIP) got = read_gzip(in, dst, size);
  *failed = in->failed;
  if (in->failed && err) *err = in->error;
  return got;
}
