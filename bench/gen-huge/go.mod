module schedscope/bench/gen-huge

go 1.26
