/* exitstatus - main returns 3: the runtime powers off reporting status 3 to
 * the root (boot protocol power-off with RSI = PARVIS_EXIT_STATUS_MAGIC,
 * EDI = 3), so `./parvis run-guest exitstatus` exits with 3. Used by the test
 * of run-guest's exit codes. */
#include <parvis/parvis.h>

#define EXIT_STATUS 3

int main(void)
{
    dbg_printf("exitstatus: returning %d\n", EXIT_STATUS);
    return EXIT_STATUS;
}
