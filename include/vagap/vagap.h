/*
 * vagap/vagap.h - the whole public API of libvagap.
 * Each module has its own header; this one includes them all.
 */
#ifndef VAGAP_VAGAP_H
#define VAGAP_VAGAP_H

#include "vagap/error.h"
#include "vagap/ledger.h"
#include "vagap/table.h"
#include "vagap/moments.h"
#include "vagap/describe.h"
#include "vagap/stats.h"
#include "vagap/scale.h"
#include "vagap/align.h"
#include "vagap/consistency.h"
#include "vagap/iat.h"
#include "vagap/study.h"
#include "vagap/sem.h"
#include "vagap/sem_boot.h"
#include "vagap/sem_invariance.h"
#include "vagap/vaar.h"
#include "vagap/intern.h"
#include "vagap/tidy.h"
#include "vagap/gap.h"
#include "vagap/simulate.h"
#include "vagap/power.h"
#include "vagap/sem_rows.h"
#include "vagap/sem_call.h"
#include "vagap/plot.h"
#include "vagap/report.h"

#endif
