#!/usr/bin/env python3
"""Write N enterprises as an import CSV (deterministic: same N and seed, same bytes).

usage: bench/gen-orgs.py N OUT.csv [SEED]

Columns: kind,credit_code,name,name_en,region_code,industry_code,registered_on,
size_class,address,website. Names are built like src/app/app_demo.c (province +
two brand characters + line of business + 有限公司/股份有限公司); credit codes are
unique (organisation code body = a bijection of the row number in 31^8) and carry
both GB 32100 / GB 11714 check characters.
"""
import random
import sys

ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VAL = {c: i for i, c in enumerate(ALPHA)}
USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_W = [3, 7, 9, 10, 5, 8, 4, 2]

PROVINCES = [
    ("110000", "北京", "Beijing"), ("120000", "天津", "Tianjin"), ("130000", "河北", "Hebei"),
    ("140000", "山西", "Shanxi"), ("150000", "内蒙古", "Inner Mongolia"),
    ("210000", "辽宁", "Liaoning"), ("220000", "吉林", "Jilin"),
    ("230000", "黑龙江", "Heilongjiang"), ("310000", "上海", "Shanghai"),
    ("320000", "江苏", "Jiangsu"), ("330000", "浙江", "Zhejiang"), ("340000", "安徽", "Anhui"),
    ("350000", "福建", "Fujian"), ("360000", "江西", "Jiangxi"), ("370000", "山东", "Shandong"),
    ("410000", "河南", "Henan"), ("420000", "湖北", "Hubei"), ("430000", "湖南", "Hunan"),
    ("440000", "广东", "Guangdong"), ("450000", "广西", "Guangxi"), ("460000", "海南", "Hainan"),
    ("500000", "重庆", "Chongqing"), ("510000", "四川", "Sichuan"), ("520000", "贵州", "Guizhou"),
    ("530000", "云南", "Yunnan"), ("540000", "西藏", "Tibet"), ("610000", "陕西", "Shaanxi"),
    ("620000", "甘肃", "Gansu"), ("630000", "青海", "Qinghai"), ("640000", "宁夏", "Ningxia"),
    ("650000", "新疆", "Xinjiang"),
]
BRANDS = [
    ("华", "Hua"), ("中", "Zhong"), ("博", "Bo"), ("瑞", "Rui"), ("海", "Hai"), ("天", "Tian"),
    ("金", "Jin"), ("恒", "Heng"), ("通", "Tong"), ("达", "Da"), ("科", "Ke"), ("创", "Chuang"),
    ("新", "Xin"), ("联", "Lian"), ("宏", "Hong"), ("盛", "Sheng"), ("鼎", "Ding"), ("信", "Xin"),
    ("泰", "Tai"), ("安", "An"), ("嘉", "Jia"), ("众", "Zhong"), ("源", "Yuan"), ("德", "De"),
    ("正", "Zheng"), ("光", "Guang"), ("明", "Ming"), ("远", "Yuan"), ("航", "Hang"),
    ("迈", "Mai"), ("睿", "Rui"), ("思", "Si"), ("锐", "Rui"), ("宇", "Yu"), ("晨", "Chen"),
    ("星", "Xing"),
]
FIELDS = [
    ("精密机械", "Precision Machinery", "C"), ("智能装备", "Intelligent Equipment", "C"),
    ("新材料", "New Materials", "C"), ("光电", "Optoelectronics", "C"),
    ("微电子", "Microelectronics", "C"), ("生物医药", "Biopharma", "C"),
    ("医疗器械", "Medical Devices", "C"), ("数控", "CNC", "C"), ("机器人", "Robotics", "C"),
    ("传感器", "Sensors", "C"), ("新能源", "New Energy", "C"),
    ("环保科技", "Environmental Technology", "N"), ("节能科技", "Energy-saving Technology", "M"),
    ("半导体", "Semiconductor", "C"), ("软件", "Software", "I"),
    ("信息技术", "Information Technology", "I"), ("汽车零部件", "Auto Parts", "C"),
    ("精细化工", "Fine Chemicals", "C"), ("仪器仪表", "Instruments", "C"), ("激光", "Laser", "C"),
    ("储能", "Energy Storage", "C"), ("氢能", "Hydrogen Energy", "C"), ("模具", "Moulds", "C"),
    ("轴承", "Bearings", "C"), ("液压", "Hydraulics", "C"), ("电机", "Electric Motors", "C"),
    ("集成电路", "Integrated Circuits", "C"), ("通信", "Communications", "C"),
    ("工业互联网", "Industrial Internet", "I"), ("检验检测", "Testing and Inspection", "M"),
    ("农业科技", "Agricultural Technology", "A"), ("纺织科技", "Textile Technology", "C"),
]
SIZES = ["micro", "micro", "small", "small", "small", "small", "medium", "medium", "large"]
ROADS = ["人民路", "解放路", "中山路", "建设路", "科技路", "创新大道", "高新路", "长江路",
         "黄河路", "学府路", "工业园路", "开发区大道"]
DISTRICTS = ["高新区", "经济开发区", "工业园区", "新区", "科技园"]


def org_check(body8):
    s = 0
    for c, w in zip(body8, ORG_W):
        v = ord(c) - 55 if c >= "A" else ord(c) - 48  # GB 11714: A=10 .. Z=35
        s += v * w
    c = 11 - s % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def uscc_check(first17):
    s = sum(VAL[c] * w for c, w in zip(first17, USCC_W))
    return ALPHA[(31 - s % 31) % 31]


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 20261121)
    space = 31 ** 8
    mult = 1_000_003  # a prime not dividing 31^8: i -> i*mult+off is a bijection mod 31^8
    off = rng.randrange(space)
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = f.write
        w("kind,credit_code,name,name_en,region_code,industry_code,registered_on,"
          "size_class,address,website\n")
        for i in range(n):
            pc, pzh, pen = PROVINCES[rng.randrange(31)]
            fzh, fen, sec = FIELDS[rng.randrange(32)]
            bi, bj = BRANDS[rng.randrange(36)], BRANDS[rng.randrange(36)]
            x = (i * mult + off) % space
            body = []
            for _ in range(8):
                body.append(ALPHA[x % 31])
                x //= 31
            body = "".join(body)
            first17 = "91" + pc + body + org_check(body)
            code = first17 + uscc_check(first17)
            suffix = "有限公司" if rng.randrange(4) else "股份有限公司"
            name = pzh + bi[0] + bj[0] + fzh + suffix
            name_en = f"{pen} {bi[1]}{bj[1].lower()} {fen} Co., Ltd."
            date = f"{1995 + rng.randrange(30)}-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}"
            addr = f"{pzh}{DISTRICTS[rng.randrange(5)]}{ROADS[rng.randrange(12)]}{1 + rng.randrange(999)}号"
            web = f"https://www.{chr(97 + rng.randrange(26))}{chr(97 + rng.randrange(26))}-bench-{i + 1}.cn"
            w(f"enterprise,{code},{name},\"{name_en}\",{pc},{sec},{date},"
              f"{SIZES[rng.randrange(9)]},{addr},{web}\n")


if __name__ == "__main__":
    main()
