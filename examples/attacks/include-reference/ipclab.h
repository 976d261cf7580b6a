#include <../../../module/ipclab.h>
