/*
 * Character encodings: conversion to UTF-8 with glibc's iconv, and the
 * repair of invalid UTF-8.  See transcode.h.
 */
#include "transcode.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grow.h"

/* "utf-8", "UTF8", "utf_8": the names meaning no conversion. */
static int names_utf8(const char *name) {
  char k[16];
  size_t n = 0;
  for (const char *p = name; *p && n + 1 < sizeof k; p++)
    if (*p != '-' && *p != '_') k[n++] = *p;
  k[n] = '\0';
  return strcasecmp(k, "utf8") == 0;
}

static int names_bare_utf16(const char *name) {
  return strcasecmp(name, "utf-16") == 0 || strcasecmp(name, "utf16") == 0;
}

const char *transcode_choose(const unsigned char *s, size_t len, const char *asked, size_t *skip,
                             char *buf, size_t size) {
  *skip = 0;
  int none = !asked || !*asked || names_utf8(asked);
  int le_mark = len >= 2 && s[0] == 0xFF && s[1] == 0xFE;
  int be_mark = len >= 2 && s[0] == 0xFE && s[1] == 0xFF;
  if ((none || names_bare_utf16(asked)) && (le_mark || be_mark)) {
    *skip = 2;
    return le_mark ? "UTF-16LE" : "UTF-16BE";
  }
  if (none) return NULL;
  if (names_bare_utf16(asked)) /* no mark: Excel and Windows write little-endian */
    return len >= 2 && s[0] != 0 && s[1] == 0 ? "UTF-16LE" : "UTF-16BE";
  snprintf(buf, size, "%s", asked);
  return buf;
}

/* Line (1-based) of the end of s[0, len): the line a conversion error is on. */
static long line_at(const unsigned char *s, size_t len) {
  long line = 1;
  for (size_t i = 0; i < len; i++) line += s[i] == '\n';
  return line;
}

vagap_status_t transcode_to_utf8(const unsigned char *in, size_t len, const char *encoding,
                                 const char *source, unsigned char **out, size_t *out_len,
                                 vagap_error_t *err) {
  *out = NULL;
  *out_len = 0;
  iconv_t cd = iconv_open("UTF-8", encoding);
  if (cd == (iconv_t)-1)
    return vagap_error_set(err, VAGAP_EINVAL, NULL, 0, 0,
                           "unknown encoding '%s' (known names include UTF-16, UTF-16LE, "
                           "LATIN1, CP1252; 'iconv -l' lists them all)", encoding);
  size_t cap = len + len / 2 + 16, used = 0;
  unsigned char *buf = malloc(cap);
  vagap_status_t st = VAGAP_OK;
  char *src = (char *)in;
  size_t left = len;
  int flushing = 0; /* all input converted: end any shift state */
  while (buf) {
    char *dst = (char *)buf + used;
    size_t room = cap - used - 1; /* one byte kept for the NUL */
    size_t r = flushing || left == 0 ? iconv(cd, NULL, NULL, &dst, &room)
                                     : iconv(cd, &src, &left, &dst, &room);
    int e = errno;
    used = (size_t)(dst - (char *)buf);
    if (r != (size_t)-1) {
      if (flushing || left == 0) break;
      flushing = 1;
      continue;
    }
    if (e == E2BIG) {
      size_t c = cap;
      if (vagap_reserve((void **)&buf, &c, cap * 2, 1)) {
        free(buf);
        buf = NULL;
      }
      cap = c;
      continue;
    }
    size_t at = (size_t)(src - (const char *)in);
    st = vagap_error_set(err, VAGAP_EDATA, source, line_at(buf, used), 0,
                         "byte 0x%02X (offset %zu) is not valid %s%s; is the file in another "
                         "encoding?", at < len ? (unsigned)in[at] : 0u, at, encoding,
                         e == EINVAL ? " (the input ends inside a character)" : "");
    break;
  }
  iconv_close(cd);
  if (!buf) return vagap_error_set(err, VAGAP_ENOMEM, source, 0, 0, "out of memory");
  if (st != VAGAP_OK) {
    free(buf);
    return st;
  }
  buf[used] = '\0';
  *out = buf;
  *out_len = used;
  return VAGAP_OK;
}

/* Length of the valid UTF-8 sequence at s[0, len) that starts with a byte >= 0x80, or 0. */
static size_t valid_sequence(const unsigned char *s, size_t len) {
  unsigned c = s[0];
  size_t n;
  unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c == 0xE0) n = 3, lo = 0xA0;
  else if (c == 0xED) n = 3, hi = 0x9F;       /* no surrogates */
  else if (c >= 0xE1 && c <= 0xEF) n = 3;
  else if (c == 0xF0) n = 4, lo = 0x90;
  else if (c == 0xF4) n = 4, hi = 0x8F;       /* at most U+10FFFF */
  else if (c >= 0xF1 && c <= 0xF3) n = 4;
  else return 0;
  if (len < n || s[1] < lo || s[1] > hi) return 0;
  for (size_t k = 2; k < n; k++)
    if ((s[k] & 0xC0) != 0x80) return 0;
  return n;
}

size_t utf8_repair(unsigned char *s, size_t len, size_t *first, unsigned char *first_byte) {
  size_t bad = 0, i = 0;
  while (i < len) {
    /* ASCII eight bytes at a time: most input is nothing else */
    if (i + 8 <= len) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (!(w & 0x8080808080808080ULL)) {
        i += 8;
        continue;
      }
    }
    if (s[i] < 0x80) {
      i++;
      continue;
    }
    size_t n = valid_sequence(s + i, len - i);
    if (n) {
      i += n;
      continue;
    }
    if (!bad) *first = i, *first_byte = s[i];
    bad++;
    s[i++] = '?';
  }
  return bad;
}
