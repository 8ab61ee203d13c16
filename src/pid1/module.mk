# pid1: PID 1 (the program is still called init) (build/<arch>/init), its unit tests and fuzz targets.
INIT_LIB := src/pid1/net.c src/pid1/cmdline.c src/pid1/budget.c src/pid1/services.c src/pid1/timeline.c

$(eval $(call target_prog,init,src/pid1/init.c $(INIT_LIB)))
$(eval $(call unit_test,test_init,tests/unit/test_init.c $(INIT_LIB)))
$(eval $(call fuzz_target,init_cmdline,fuzz/init_cmdline.c src/pid1/cmdline.c src/pid1/net.c))
$(eval $(call fuzz_target,init_services,fuzz/init_services.c src/pid1/services.c))
$(eval $(call fuzz_target,init_meminfo,fuzz/init_meminfo.c src/pid1/budget.c))
