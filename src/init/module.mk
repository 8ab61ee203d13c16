# init: PID 1 (build/<arch>/init), its unit tests and fuzz targets.
INIT_LIB := src/init/net.c src/init/cmdline.c src/init/budget.c src/init/services.c src/init/timeline.c

$(eval $(call target_prog,init,src/init/init.c $(INIT_LIB)))
$(eval $(call unit_test,test_init,tests/unit/test_init.c $(INIT_LIB)))
$(eval $(call fuzz_target,init_cmdline,fuzz/init_cmdline.c src/init/cmdline.c src/init/net.c))
$(eval $(call fuzz_target,init_services,fuzz/init_services.c src/init/services.c))
$(eval $(call fuzz_target,init_meminfo,fuzz/init_meminfo.c src/init/budget.c))
