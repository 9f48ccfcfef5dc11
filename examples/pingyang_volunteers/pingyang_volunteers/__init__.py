"""平阳 换届志愿服务队: Pingyang's election volunteer teams (a yixian plugin)."""

KEY = "pingyang.volunteers"
