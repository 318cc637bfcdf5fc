// Included first in every file nnlab builds with GCC 12 (CMakeLists.txt). GCC 12's AVX-512
// intrinsics fill unused lanes from a self-initialized variable (`__m512d __Y = __Y;`), which
// -Wuninitialized reports wherever Eigen's packet math inlines them: ~140 warnings a build that
// would bury real ones. Including the header here first, with the warning off for its own lines,
// silences exactly those; the warning stays on for nnlab's code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
