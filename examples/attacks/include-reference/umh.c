#include "../../../../../module/umh.c"
