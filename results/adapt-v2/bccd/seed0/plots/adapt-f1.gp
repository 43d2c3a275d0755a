set terminal pngcairo size 900,500 noenhanced
set output 'adapt-f1.png'
set title "mdd: pbc_barcelona → bccd"
set xlabel "epoch"
set ylabel "macro F1"
set key outside right
set grid
plot 'adapt-f1.dat' index 0 with linespoints title "source validation macro F1", \
     'adapt-f1.dat' index 1 with linespoints title "target macro F1 (reported only)"
