/*
 * table_cells.h - internal: a table over cells that need no parsing.
 *
 * table_columns.c builds the cells of a table from typed columns; table.c,
 * which owns the table's layout, takes them over here.  study.c reads the
 * rows of any table through the reader a table keeps (its names, source and
 * missing-value tokens), the same row callbacks as a file's.
 */
#ifndef VAGAP_TABLE_CELLS_H
#define VAGAP_TABLE_CELLS_H

#include "vagap/table.h"

#define table_adopt_cells vagap__table_adopt_cells
#define table_reader vagap__table_reader
#pragma GCC visibility push(hidden)

/*
 * A table of `nrows` rows over the columns of `r` (a reader at the end of its
 * input).  chars holds every cell, NUL-terminated, row by row; cell (i, j)
 * starts at chars + cell_off[i * ncols + j] and cell_off[nrows * ncols] is
 * the end of the last one; lines[i] is what row i reports as its line.
 * numbers: NULL, or per column its values (NaN missing) or NULL for a text
 * column (vagap_table_inferred_numbers).  Everything passed is taken over,
 * after a failure too (it is freed then).  The table closes `r` before it
 * frees `chars`, so r may read its header from inside chars.
 */
vagap_status_t table_adopt_cells(vagap_table_t **out, vagap_reader_t *r, size_t nrows, char *chars,
                                 size_t *cell_off, long *lines, double **numbers,
                                 vagap_error_t *err);

/* The reader that owns a table's names, source and missing-value tokens. */
const vagap_reader_t *table_reader(const vagap_table_t *t);

#pragma GCC visibility pop
#endif
