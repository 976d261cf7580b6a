#include "../../../../../module/shm.c"
