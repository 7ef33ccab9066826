#ifndef AUTHRPC_BUILD_INFO_H
#define AUTHRPC_BUILD_INFO_H

/* The git commit this binary was built from, as scripts/stamp-build recorded it in
   build_commit.h before the build; "unknown" when the build was not stamped. */
const char *authrpc_build_commit(void);

#endif
