/* main.c - mock-backend entry point (not implemented yet: prints usage and exits 2). */
#include <stdio.h>

int main(int argc, char **argv)
{
    (void)argc;
    fprintf(stderr, "%s: not implemented yet\n", argv[0]);
    return 2;
}
