// libFuzzer's driver entry point (compiler-rt, FuzzerInterface.h / FuzzerDriver.cpp),
// linked in by `-sanitize=fuzzer`. Declared here so a Swift `main` can start libFuzzer.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
