module busy

go 1.26
