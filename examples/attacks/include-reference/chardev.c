#include "../../../../../module/chardev.c"
