#include "../../../../../module/main.c"
