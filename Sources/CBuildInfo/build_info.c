#include "authrpc_build_info.h"

/* scripts/stamp-build writes build_commit.h (not committed) and touches this file, so a
   changed commit recompiles it. Without the header the commit is "unknown". */
#if __has_include("build_commit.h")
#include "build_commit.h"
#endif
#ifndef AUTHRPC_BUILD_COMMIT
#define AUTHRPC_BUILD_COMMIT "unknown"
#endif

const char *authrpc_build_commit(void) { return AUTHRPC_BUILD_COMMIT; }
