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

#include "table_typed.h"
#include "vagap/table.h"

#define table_adopt_cells vagap__table_adopt_cells
#define table_adopt_typed vagap__table_adopt_typed
#define table_reader vagap__table_reader
#pragma GCC visibility push(hidden)

/*
 * A table of `nrows` rows over the columns of `r` (a reader at the end of its
 * input), row i located as line i + 1.  chars holds every cell,
 * NUL-terminated, row by row; cell (i, j) starts at chars + cell_off[i *
 * ncols + j] and cell_off[nrows * ncols] is the end of the last one.  `keep`
 * is the text r reads its header from: the table frees it after closing r.
 * Everything passed is taken over, after a failure too.
 */
vagap_status_t table_adopt_cells(vagap_table_t **out, vagap_reader_t *r, size_t nrows, char *chars,
                                 size_t *cell_off, char *keep, vagap_error_t *err);

/*
 * The same as typed columns (table_typed.h; a table with infer_numbers):
 * cols[ncols] filled by the caller, text columns with every cell (start set),
 * numeric columns with values, shapes and the kept texts of SHAPE_TEXT
 * cells; a missing numeric cell has shape SHAPE_NA (here: the empty token,
 * which must be one of r's missing-value tokens).
 */
vagap_status_t table_adopt_typed(vagap_table_t **out, vagap_reader_t *r, size_t nrows,
                                 typed_column_t *cols, char *keep, vagap_error_t *err);

/* The reader that owns a table's names, source and missing-value tokens. */
const vagap_reader_t *table_reader(const vagap_table_t *t);

#pragma GCC visibility pop
#endif
