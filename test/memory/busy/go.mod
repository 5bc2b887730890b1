module schedscope.test/memory/busy

go 1.22
