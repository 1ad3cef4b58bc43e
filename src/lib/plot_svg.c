/*
 * plot_svg.c - the shared pieces of vagap's SVG plots (vagap/plot.h).
 * Standalone SVG 1.1: no scripts, no external resources.
 */
#include "vagap/plot.h"

void vagap_svg_put_escaped(FILE *out, const char *s) {
  for (; *s; s++) {
    switch (*s) {
    case '&': fputs("&amp;", out); break;
    case '<': fputs("&lt;", out); break;
    case '>': fputs("&gt;", out); break;
    case '"': fputs("&quot;", out); break;
    default: fputc(*s, out);
    }
  }
}

void vagap_svg_begin(FILE *out, int width, int height, int left, int top, int plot_w, int plot_h,
               const char *title) {
  fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n",
          width, height, width, height);
  fprintf(out, "<defs><clipPath id=\"plot\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/></clipPath></defs>\n",
          left, top, plot_w, plot_h);
  fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", width, height);
  fprintf(out, "<text x=\"%d\" y=\"30\" font-size=\"16\" font-weight=\"bold\">", left);
  vagap_svg_put_escaped(out, title);
  fputs("</text>\n", out);
}

int vagap_svg_end(FILE *out) {
  fputs("</svg>\n", out);
  return ferror(out) ? -1 : 0;
}
